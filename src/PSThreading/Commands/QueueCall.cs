using System;
using System.Management.Automation;
using PSThreading.Core.Sync;
using PSThreading.Engine;
using PSThreading.Errors;

namespace PSThreading.Commands
{
    /// <summary>A queue call from a cmdlet: Ctrl+C ends it as a pipeline stop, a queue error ends the command.</summary>
    internal static class QueueCall
    {
        /// <summary>
        /// Runs <paramref name="call"/>. A cancelled wait becomes the pipeline stop (<paramref name="throwIfStopping"/>);
        /// with <paramref name="letCompletedThrough"/> QueueCompleted is left to the caller; every other lock error
        /// is a terminating error.
        /// </summary>
        public static T Run<T>(Cmdlet cmdlet, Func<T> call, Action throwIfStopping, bool letCompletedThrough = false)
        {
            try
            {
                return call();
            }
            catch (OperationCanceledException)
            {
                throwIfStopping();
                throw;
            }
            catch (ThreadLockException ex) when (!(letCompletedThrough && ex is QueueCompletedException))
            {
                cmdlet.ThrowTerminatingError(LockErrorRecord.From(ex));
                throw;
            }
        }
    }
}

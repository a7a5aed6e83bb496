using System;
using System.Management.Automation;
using PSThreading.Core.Sync;

namespace PSThreading.Errors
{
    /// <summary>Turns the core's lock exceptions into ErrorRecords whose id is the exception's ErrorId.</summary>
    internal static class LockErrorRecord
    {
        /// <summary>Runs <paramref name="action"/>; a lock error or a bad name ends the command as a terminating error.</summary>
        public static T Run<T>(Cmdlet cmdlet, Func<T> action, object? target)
        {
            try
            {
                return action();
            }
            catch (ThreadLockException ex)
            {
                cmdlet.ThrowTerminatingError(From(ex));
                throw;
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidLockName, ErrorCategory.InvalidArgument, target));
                throw;
            }
        }

        public static ErrorRecord From(ThreadLockException error) =>
            new ErrorRecord(error, error.ErrorId, CategoryOf(error.ErrorId), error.Target);

        private static ErrorCategory CategoryOf(string errorId) => errorId switch
        {
            LockErrorId.InvalidTimeout => ErrorCategory.InvalidArgument,
            LockErrorId.LockTimeout => ErrorCategory.OperationTimeout,
            LockErrorId.Deadlock => ErrorCategory.DeadlockDetected,
            LockErrorId.LockNameConflict => ErrorCategory.ResourceExists,
            LockErrorId.MachineLockUnavailable => ErrorCategory.ResourceUnavailable,
            LockErrorId.MachineLockFolderUnsafe => ErrorCategory.SecurityError,
            Core.Sync.SyncErrorId.QueueEmpty => ErrorCategory.OperationTimeout,
            Core.Sync.SyncErrorId.QueueFull => ErrorCategory.OperationTimeout,
            Core.Sync.SyncErrorId.NamedObjectInUse => ErrorCategory.ResourceBusy,
            Core.Sync.SyncErrorId.NamedObjectNotFound => ErrorCategory.ObjectNotFound,
            Core.Sync.SyncErrorId.InlineWouldBlock => ErrorCategory.DeadlockDetected,
            _ => ErrorCategory.InvalidOperation,
        };
    }
}

using System;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Workers
{
    /// <summary>The WorkerThreadFailed record that reports a failed thread to whoever reads it (a join, a job's reader).</summary>
    internal static class ThreadFailureRecord
    {
        /// <param name="failure">The record of the terminating error that failed the thread, when the body kept it.</param>
        public static ErrorRecord For(WorkerThread thread, Exception error, ErrorRecord? failure) =>
            new ErrorRecord(error, ErrorIds.WorkerThreadFailed, failure?.CategoryInfo.Category ?? ErrorCategory.OperationStopped, thread)
            {
                ErrorDetails = new ErrorDetails($"Thread '{thread.Name}' failed: {error.Message}")
                {
                    RecommendedAction = "The original exception is in the thread's Error property and in this record's Exception. " +
                        "An object thrown that was not an exception is the Exception's ErrorRecord.TargetObject.",
                },
            };
    }
}

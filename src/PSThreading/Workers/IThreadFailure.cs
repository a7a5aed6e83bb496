using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Workers
{
    /// <summary>
    /// A thread body that keeps the error record of the terminating error that failed its thread, for the join
    /// that writes it (Wait-WorkerThread's WorkerThreadFailed record).
    /// </summary>
    internal interface IThreadFailure
    {
        /// <summary>The error record of the terminating error that failed the thread, with its script position.</summary>
        ErrorRecord? FailureRecord { get; }

        /// <summary>True for the one join that is to write the failure: joins racing on one failed thread report it once.</summary>
        bool TryClaimFailureReport();
    }
}

using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Hosts
{
    /// <summary>
    /// Work that a worker hands to whoever joins it, queued with its output so it keeps the order written:
    /// a prompt to show, host text to write. It runs on the joining cmdlet's pipeline thread, the only thread
    /// that may write to the caller's streams and read its console.
    /// </summary>
    internal interface IJoinerWork
    {
        /// <summary>Runs the work on the pipeline thread of <paramref name="joiner"/> (Wait-WorkerThread, Invoke-ThreadPool).</summary>
        void Run(PSCmdlet joiner);
    }
}

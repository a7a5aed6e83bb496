using System.Management.Automation;
using PSThreading.Runspaces;

namespace PSThreading.Commands
{
    /// <summary>
    /// Base of the cmdlets that start workers running the caller's code (Start-WorkerThread, Invoke-ThreadPool):
    /// -Function and -Module carry the caller's functions and modules into each worker.
    /// </summary>
    public abstract class WorkerStartingCmdlet : CancellablePSCmdlet
    {
        // Only this module's cmdlets derive from it: it is public because they are.
        private protected WorkerStartingCmdlet()
        {
        }

        /// <summary>Functions of the caller to define in each worker.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Function { get; set; }

        /// <summary>Modules of the caller to import in each worker.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Module { get; set; }

        /// <summary>-Function and -Module resolved in the caller (null when neither was given); a name it lacks ends the command.</summary>
        private protected WorkerImports? ResolveImports() => WorkerImports.Resolve(this, Function, Module);
    }
}

using System.Collections.Generic;
using System.Management.Automation;
using PSThreading.Completion;
using PSThreading.Core.Threads;

namespace PSThreading.Commands
{
    /// <summary>
    /// Base of the cmdlets that act on threads given as objects (-Thread, declared by each: its advice names the
    /// cmdlet), by name (-Name) or by id (-Id): Wait-WorkerThread and Stop-WorkerThread.
    /// </summary>
    public abstract class ThreadTargetCmdlet : CancellablePSCmdlet
    {
        // Only this module's cmdlets derive from it: it is public because they are.
        private protected ThreadTargetCmdlet()
        {
        }

        /// <summary>Threads by name, wildcards allowed (a wildcard skips the main thread).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThreadLookup.NameSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ThreadNameCompleter))]
        public string[] Name { get; set; } = null!;

        /// <summary>Threads by ManagedThreadId, as Get-ActiveThread -Id.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThreadLookup.IdSet)]
        [ValidateNotNullOrEmpty]
        [Alias("ManagedThreadId")]
        public int[] Id { get; set; } = null!;

        /// <summary>The threads this call names: found by -Name or -Id among the findable ones, or <paramref name="given"/> (-Thread).</summary>
        private protected IEnumerable<WorkerThread> ThreadsGiven(WorkerThread[] given) =>
            ParameterSetName == ThreadLookup.NameSet ? ThreadLookup.ByName(this, ThreadRegistry.Findable(), Name, workersOnly: true)
            : ParameterSetName == ThreadLookup.IdSet ? ThreadLookup.ById(this, ThreadRegistry.Findable(), Id)
            : given;
    }
}

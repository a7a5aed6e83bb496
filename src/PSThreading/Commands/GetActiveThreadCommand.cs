using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Core;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>enumerate()</c>, <c>current_thread()</c> and <c>main_thread()</c>: the main thread and
    /// every live worker, in start order.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ActiveThread", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(WorkerThread))]
    public sealed class GetActiveThreadCommand : PSCmdlet
    {
        private const string ListSet = "List";
        private const string CurrentSet = "Current";
        private const string MainSet = "Main";

        [Parameter(Position = 0, ParameterSetName = ListSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        [Parameter(ParameterSetName = ListSet, ValueFromPipelineByPropertyName = true)]
        [Alias("ManagedThreadId")]
        public int[]? Id { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CurrentSet)]
        public SwitchParameter Current { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = MainSet)]
        public SwitchParameter Main { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case CurrentSet:
                    WriteObject(ThreadRegistry.Current);
                    return;
                case MainSet:
                    WriteObject(ThreadRegistry.EnsureMainThread());
                    return;
            }

            IEnumerable<WorkerThread> threads = ThreadRegistry.Enumerate();
            if (Name != null)
            {
                WildcardPattern[] patterns = Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
                threads = threads.Where(t => patterns.Any(p => p.IsMatch(t.Name)));
            }

            if (Id != null)
            {
                threads = threads.Where(t => Id.Contains(t.ManagedThreadId));
            }

            WriteObject(threads, enumerateCollection: true);
        }
    }
}

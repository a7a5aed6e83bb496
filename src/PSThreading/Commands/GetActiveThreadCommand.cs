using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Threads;
using PSThreading.Errors;

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
        [ValidateThreadName]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ThreadNameCompleter))]
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

            IReadOnlyList<WorkerThread> live = ThreadRegistry.Enumerate();
            IEnumerable<WorkerThread> threads = live;
            if (Name != null)
            {
                WildcardPattern[] patterns = Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
                threads = threads.Where(t => patterns.Any(p => p.IsMatch(t.Name)));
                // As Get-Process and Get-Job do: a plain name that matches nothing is reported, a wildcard is not.
                foreach (string name in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
                {
                    if (!live.Any(t => string.Equals(t.Name, name, System.StringComparison.OrdinalIgnoreCase)))
                    {
                        WriteError(new ErrorRecord(
                            new ItemNotFoundException($"No live thread is named '{name}'. Threads that have ended are not listed; run Get-ActiveThread to see the live ones."),
                            ErrorIds.ThreadNotFound,
                            ErrorCategory.ObjectNotFound,
                            name));
                    }
                }
            }

            if (Id != null)
            {
                threads = threads.Where(t => Id.Contains(t.ManagedThreadId));
            }

            WriteObject(threads.ToList(), enumerateCollection: true);
        }
    }
}

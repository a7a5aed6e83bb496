using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Jobs;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>enumerate()</c>, <c>current_thread()</c> and <c>main_thread()</c>: the main thread and
    /// every live worker, in start order. A lookup by -Name or -Id also finds threads that ended with output
    /// not yet read by Wait-WorkerThread.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ActiveThread", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(WorkerThread))]
    public sealed class GetActiveThreadCommand : PSCmdlet
    {
        private const string ListSet = "List";
        private const string CurrentSet = "Current";
        private const string MainSet = "Main";

        [Parameter(Position = 0, ParameterSetName = ListSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [PipedNameTransformation]
        [ValidateThreadName]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ThreadNameCompleter))]
        public string[]? Name { get; set; }

        [Parameter(ParameterSetName = ListSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
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
                    WriteObject(ThreadRegistry.CurrentListed());
                    return;
                case MainSet:
                    WriteObject(ThreadRegistry.EnsureMainThread());
                    return;
            }

            Name = PipedNameTransformationAttribute.WithoutNoName(Name);
            if (Name == null && Id == null && MyInvocation.ExpectingInput)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException("The piped object has no Name or Id property, so it names no thread. Pipe threads, thread names, ids, or objects with a Name or Id property."),
                    ErrorIds.ThreadNotFound,
                    ErrorCategory.InvalidArgument,
                    null));
                return;
            }

            if (Name != null && Id != null && IsOneNumber(Name, Id))
            {
                // `42 | Get-ActiveThread`: the binder gives a piped number to both -Name and -Id; it is an id.
                Name = null;
            }

            if (Name != null && Id != null && IsPipedJob(Name, Id))
            {
                // `$job | Get-ActiveThread` (an -AsJob job): the binder gives the job's name, which is its
                // thread's, and the job's id, which is no thread's: the name alone finds the thread.
                Id = null;
            }

            if (Name == null && Id == null)
            {
                // Python's enumerate(): live threads only.
                WriteObject(ThreadRegistry.Enumerate(), enumerateCollection: true);
                return;
            }

            // A lookup also finds threads that ended with output not yet joined, as Get-Job finds a finished job.
            IReadOnlyList<WorkerThread> findable = ThreadRegistry.Findable();
            IEnumerable<WorkerThread> threads = Name != null ? ThreadLookup.ByName(this, findable, Name, workersOnly: false) : findable;
            if (Id != null)
            {
                threads = Name != null ? threads.Where(t => Id.Contains(t.ManagedThreadId)) : ThreadLookup.ById(this, findable, Id);
            }

            WriteObject(threads.ToList(), enumerateCollection: true);
        }

        private bool IsPipedJob(string[] names, int[] ids) =>
            MyInvocation.ExpectingInput && names.Length == 1 && ids.Length == 1 &&
            ThreadRegistry.Findable().FirstOrDefault(t => string.Equals(t.Name, names[0], StringComparison.OrdinalIgnoreCase)) is WorkerThread thread &&
            ThreadPoolJob.Of(thread)?.Id == ids[0];

        private bool IsOneNumber(string[] names, int[] ids) =>
            MyInvocation.ExpectingInput && names.Length == ids.Length &&
            names.Select((name, i) => name == ids[i].ToString(CultureInfo.InvariantCulture)).All(same => same);
    }
}

using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Errors;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>queue.Queue(maxsize)</c>: a first-in first-out queue between threads, bounded by -Capacity
    /// (0 or absent: unbounded). With -Name the queue is process-wide.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadQueue")]
    [OutputType(typeof(ThreadQueue))]
    public sealed class NewThreadQueueCommand : PSCmdlet
    {
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Capacity { get; set; }

        [Parameter(Position = 0)]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        protected override void EndProcessing()
        {
            WriteObject(LockErrorRecord.Run(
                this,
                () => Name == null
                    ? new ThreadQueue(Capacity)
                    : LockRegistry.GetOrCreate(Name, () => new ThreadQueue(Capacity, Name), queue => queue.Capacity == Capacity, $"a Queue of capacity {Capacity}"),
                Name));
        }
    }
}

using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Errors;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>threading.BoundedSemaphore(count)</c>: lets at most -Count threads in at once. With -Name
    /// the semaphore is process-wide, like a named lock.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadSemaphore")]
    [OutputType(typeof(ThreadSemaphore))]
    public sealed class NewThreadSemaphoreCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; }

        [Parameter(Position = 1)]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        protected override void EndProcessing()
        {
            WriteObject(LockErrorRecord.Run(this, () => Name == null ? new ThreadSemaphore(Count) : LockRegistry.GetOrCreateSemaphore(Name, Count), Name));
        }
    }
}

using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>threading.BoundedSemaphore(count)</c>: lets at most -Count threads in at once. With -Name
    /// the semaphore is process-wide, like a named lock. With -Unbounded it is Python's plain
    /// <c>threading.Semaphore(count)</c>: releases past the count add permits, and -Count 0 is allowed.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadSemaphore")]
    [OutputType(typeof(ThreadSemaphore))]
    public sealed class NewThreadSemaphoreCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(0, int.MaxValue)]
        public int Count { get; set; }

        [Parameter(Position = 1)]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        /// <summary>Python's plain Semaphore: a release past the count adds a permit instead of being an error.</summary>
        [Parameter]
        public SwitchParameter Unbounded { get; set; }

        protected override void EndProcessing()
        {
            if (Count == 0 && !Unbounded)
            {
                // The same error as ValidateRange gives for a negative count: only -Unbounded makes 0 meaningful.
                ThrowTerminatingError(ParameterValidationError.Create(nameof(Count), Count,
                    "A bounded semaphore needs -Count 1 or more. For a semaphore that starts with no permit (a signal), add -Unbounded."));
            }

            bool bounded = !Unbounded;
            WriteObject(LockErrorRecord.Run(this, () => Name == null ? new ThreadSemaphore(Count, null, bounded) : LockRegistry.GetOrCreateSemaphore(Name, Count, bounded), Name));
        }
    }
}

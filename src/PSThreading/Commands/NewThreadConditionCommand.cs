using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Errors;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>threading.Condition(lock)</c>: waits for a notify under a lock (-Lock, or a new reentrant
    /// lock). With -Name the condition is process-wide.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadCondition")]
    [OutputType(typeof(ThreadCondition))]
    public sealed class NewThreadConditionCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateNotNull]
        public ThreadLock? Lock { get; set; }

        [Parameter]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        protected override void EndProcessing()
        {
            WriteObject(LockErrorRecord.Run(
                this,
                () => Name == null
                    ? new ThreadCondition(Lock)
                    : LockRegistry.GetOrCreate(
                        Name,
                        () => new ThreadCondition(Lock, Name),
                        condition => Lock == null || ReferenceEquals(condition.Lock, Lock),
                        $"a Condition over lock '{Lock?.Name}'"),
                Name));
        }
    }
}

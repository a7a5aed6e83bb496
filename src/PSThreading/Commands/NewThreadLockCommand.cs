using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Errors;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>threading.Lock()</c>, or with -Reentrant <c>threading.RLock()</c>. With -Name the lock is
    /// process-wide: the same name gives the same lock in every runspace and worker.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadLock")]
    [OutputType(typeof(ThreadLock))]
    public sealed class NewThreadLockCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        [Parameter]
        public SwitchParameter Reentrant { get; set; }

        protected override void EndProcessing()
        {
            WriteObject(LockErrorRecord.Run(this, () => Name == null ? new ThreadLock(null, Reentrant) : LockRegistry.GetOrCreateLock(Name, Reentrant), Name));
        }
    }
}

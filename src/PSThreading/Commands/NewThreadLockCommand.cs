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
    /// Python's <c>threading.Lock()</c>, or with -Reentrant <c>threading.RLock()</c>. With -Name the lock is
    /// process-wide: the same name gives the same lock in every runspace and worker; with -Scope Machine it is
    /// also held across every process of the machine run by the same user (a named mutex).
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

        /// <summary>Process (the default) or Machine: held across every process of the user. Machine needs -Name.</summary>
        [Parameter]
        public LockScope Scope { get; set; } = LockScope.Process;

        protected override void EndProcessing()
        {
            if (Name == null && Scope == LockScope.Machine)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("A machine lock (-Scope Machine) needs a name, which every process uses to find it: " +
                        "New-ThreadLock -Name <name> -Scope Machine."),
                    ErrorIds.MachineLockNeedsName, ErrorCategory.InvalidArgument, null));
            }

            WriteObject(LockErrorRecord.Run(this, () => Name == null ? new ThreadLock(null, Reentrant) : LockRegistry.GetOrCreateLock(Name, Reentrant, Scope), Name));
        }
    }
}

using System.Linq;
using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Errors;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Drops process-wide names: a named lock, semaphore, event, condition, barrier or queue. The object goes
    /// on working for whoever still has it; the name is free again. One that a thread holds or waits on is a
    /// NamedObjectInUse error, a name that nothing has is NamedObjectNotFound.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ThreadLock")]
    [OutputType(typeof(void))]
    public sealed class RemoveThreadLockCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string[] Name { get; set; } = null!;

        protected override void ProcessRecord()
        {
            foreach (string name in Name)
            {
                ISyncObject? removed = LockErrorRecord.Run(this, () => LockRegistry.Remove(name, InUse), name);
                if (removed == null)
                {
                    var error = new NamedObjectNotFoundException(
                        $"No lock, semaphore, event, condition, barrier or queue is named '{name}'. Check the name (Get-ActiveThread shows what threads use).");
                    WriteError(LockErrorRecord.From(error));
                }
            }
        }

        /// <summary>Why the object cannot be dropped now, or null.</summary>
        private static string? InUse(ISyncObject target)
        {
            if (target is SyncPrimitive primitive && primitive.Holders.Count > 0)
            {
                return "it is held by " + string.Join(", ", primitive.Holders.Select(holding => holding.ToString()));
            }

            if (target is ThreadCondition condition && condition.Lock.IsLocked)
            {
                return $"its lock is held by thread '{condition.Lock.Owner?.Name}'";
            }

            WorkerThread? waiter = ThreadRegistry.Enumerate().FirstOrDefault(thread => ReferenceEquals(thread.WaitingForObject, target));
            if (waiter == null && target is SyncObject waitable)
            {
                waiter = waitable.Waiters.FirstOrDefault();
            }

            return waiter == null ? null : $"thread '{waiter.Name}' (id {waiter.ManagedThreadId}) waits on it";
        }
    }
}

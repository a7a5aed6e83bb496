namespace PSThreading.Core
{
    /// <summary>One step of a deadlock cycle: a thread, the lock it waits for, and the thread holding that lock.</summary>
    public sealed class DeadlockLink
    {
        internal DeadlockLink(WorkerThread thread, SyncPrimitive waitsFor, WorkerThread heldBy)
        {
            Thread = thread;
            WaitsFor = waitsFor;
            HeldBy = heldBy;
        }

        public WorkerThread Thread { get; }

        public SyncPrimitive WaitsFor { get; }

        public WorkerThread HeldBy { get; }

        public override string ToString() =>
            $"thread '{Thread.Name}' (id {Thread.ManagedThreadId}) waits for {WaitsFor.Kind} '{WaitsFor.Name}', held by thread '{HeldBy.Name}' (id {HeldBy.ManagedThreadId})";
    }
}

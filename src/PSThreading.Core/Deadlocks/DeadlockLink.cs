using PSThreading.Core.Sync;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Deadlocks
{
    /// <summary>
    /// One step of a deadlock cycle: a thread, what it waits for (a lock or semaphore, or another thread to
    /// end), and the thread holding that.
    /// </summary>
    public sealed class DeadlockLink
    {
        private readonly bool _waitsForPoolItems;

        internal DeadlockLink(WorkerThread thread, IWaitTarget waitsFor, WorkerThread heldBy)
        {
            Thread = thread;
            WaitsFor = waitsFor as SyncPrimitive;
            WaitsForThread = (waitsFor as ThreadEnd)?.Thread;
            _waitsForPoolItems = waitsFor is Pool.PoolCallerWait;
            HeldBy = heldBy;
        }

        public WorkerThread Thread { get; }

        /// <summary>The lock or semaphore the thread waits for; null when it waits for a thread to end.</summary>
        public SyncPrimitive? WaitsFor { get; }

        /// <summary>The thread this one joins (Wait-WorkerThread); null when it waits for a lock.</summary>
        public WorkerThread? WaitsForThread { get; }

        public WorkerThread HeldBy { get; }

        /// <summary>True when the thread waits for the items of its Invoke-ThreadPool call, one of which <see cref="HeldBy"/> runs.</summary>
        internal bool WaitsForPoolItems => _waitsForPoolItems;

        public override string ToString() => WaitsFor != null
            ? $"thread '{Thread.Name}' (id {Thread.ManagedThreadId}) waits for {WaitsFor.Kind} '{WaitsFor.Name}', held by thread '{HeldBy.Name}' (id {HeldBy.ManagedThreadId})"
            : _waitsForPoolItems
            ? $"thread '{Thread.Name}' (id {Thread.ManagedThreadId}) waits for the items of its Invoke-ThreadPool call, one of them run by thread '{HeldBy.Name}' (id {HeldBy.ManagedThreadId})"
            : $"thread '{Thread.Name}' (id {Thread.ManagedThreadId}) waits for thread '{HeldBy.Name}' (id {HeldBy.ManagedThreadId}) to end";
    }
}

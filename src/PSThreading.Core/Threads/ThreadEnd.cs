using System;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// The end of a thread, as a join waits for it: in the wait-for graph the thread holds its own end until
    /// it ends, so a thread that joins one which waits (directly or not) for a lock the joiner holds is a cycle.
    /// </summary>
    internal sealed class ThreadEnd : IWaitTarget
    {
        internal ThreadEnd(WorkerThread thread)
        {
            Thread = thread;
        }

        public WorkerThread Thread { get; }

        public LockState ReadState()
        {
            // Ending is the only change a thread's end makes, so alive or not is its whole version.
            bool alive = Thread.IsAlive;
            return alive
                ? new LockState(new[] { new LockHolding(Thread, Thread.StartTime.ToUniversalTime().Ticks) }, hasRoom: false, version: 0)
                : new LockState(Array.Empty<LockHolding>(), hasRoom: true, version: 1);
        }

        public override string ToString() => $"thread '{Thread.Name}'";
    }
}

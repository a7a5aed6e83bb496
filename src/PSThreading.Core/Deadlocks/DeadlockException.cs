using System.Collections.Generic;
using System.Linq;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Deadlocks
{
    /// <summary>
    /// Threads wait on each other in a cycle. Thrown to the youngest untimed wait of the cycle, which gives up
    /// its wait (not the locks it holds) so that, once it unwinds and releases them, the others can go on.
    /// </summary>
    public sealed class DeadlockException : ThreadLockException
    {
        internal DeadlockException(SyncPrimitive? target, IReadOnlyList<DeadlockLink> cycle)
            : base(LockErrorId.Deadlock, target, Describe(cycle))
        {
            Cycle = cycle;
        }

        /// <summary>The cycle, starting with the thread whose wait was given up.</summary>
        public IReadOnlyList<DeadlockLink> Cycle { get; }

        public IReadOnlyList<WorkerThread> Threads => Cycle.Select(link => link.Thread).ToArray();

        /// <summary>The locks and semaphores waited for in the cycle (a join adds none).</summary>
        public IReadOnlyList<SyncPrimitive> Locks => Cycle.Where(link => link.WaitsFor != null).Select(link => link.WaitsFor!).ToArray();

        private static string Describe(IReadOnlyList<DeadlockLink> cycle)
        {
            string advice = cycle.Any(link => link.WaitsForPoolItems)
                ? "A thread that waits for the items of an Invoke-ThreadPool call (as its caller, or by joining its -AsJob) must not hold a " +
                  "lock that the items take: release it before the call or the join, or give the items' Acquire a timeout."
                : cycle.Any(link => link.WaitsForThread != null)
                ? "A thread that waits for another to end must not hold a lock that the other needs: release it before Wait-WorkerThread, " +
                  "or give the wait a -Timeout."
                : "Take these locks in the same order in every thread, or take them all with one Invoke-WithLock around the code that needs them.";
            return "Deadlock: " + string.Join("; ", cycle) + ". " +
                $"The wait of thread '{cycle[0].Thread.Name}' was given up so that the others can go on once it releases what it holds. " +
                advice;
        }
    }
}

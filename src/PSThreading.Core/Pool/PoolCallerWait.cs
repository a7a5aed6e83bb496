using System;
using System.Diagnostics;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// The caller of a pool call waiting for its items, as the wait-for graph sees it: a wait for the threads
    /// that run the items, as a join is a wait for the joined thread. A caller that holds a lock one of its items
    /// takes untimed would otherwise wait for ever; deadlock detection finds the cycle and fails the caller's
    /// wait (see <see cref="WaitGraph"/> for why the caller's, not the item's). One wait for the whole call, shown
    /// while the caller blocks, so that two looks a check interval apart can find it unchanged.
    /// </summary>
    internal sealed class PoolCallerWait : IWaitTarget
    {
        private static readonly long s_checkEvery = WaitTimeout.ToTicks(SyncPrimitive.DeadlockCheckInterval);

        private readonly ThreadPoolScheduler _scheduler;
        private readonly ThreadWait _wait;
        private long _nextLook;
        private WaitGraph? _suspect;

        /// <summary>The caller of a call without a timeout: one with a timeout ends by itself, and is no wait of the graph.</summary>
        public PoolCallerWait(ThreadPoolScheduler scheduler)
        {
            _scheduler = scheduler;
            _wait = new ThreadWait(this, ThreadRegistry.Current, isTimed: false);
            _nextLook = Stopwatch.GetTimestamp() + s_checkEvery;
        }

        /// <summary>The caller blocks until its items change.</summary>
        public void Begin() => _wait.Waiter.BeginWait(_wait);

        public void End() => _wait.Waiter.EndWait(_wait);

        /// <summary>
        /// At most once a check interval: throws <see cref="DeadlockException"/> when the caller's wait closes a cycle
        /// that two looks found unchanged and is the wait to give up.
        /// </summary>
        public void Look()
        {
            long now = Stopwatch.GetTimestamp();
            if (now < _nextLook)
            {
                return;
            }

            _nextLook = now + s_checkEvery;
            _suspect = DeadlockDetector.Look(_wait, _suspect);
        }

        LockState IWaitTarget.ReadState() => _scheduler.ReadItemsState();

        public override string ToString() => "the items of its Invoke-ThreadPool call";
    }
}

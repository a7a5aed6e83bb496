using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// What locks and semaphores share: a name; waits that can be timed and cancelled and that take part in
    /// deadlock detection; and the record of which threads hold it, for diagnostics.
    /// </summary>
    public abstract class SyncPrimitive : IWaitTarget, Sync.ISyncObject
    {
        /// <summary>How often a blocked wait wakes to look for a deadlock. Two matching looks confirm one.</summary>
        internal static readonly TimeSpan DeadlockCheckInterval = TimeSpan.FromMilliseconds(200);

        private static readonly Action<object?> s_wakeAllWaiters = WakeAllWaiters;
        private static int s_unnamedNumber;

        private readonly object _sync = new object();
        private int _waiters;
        private long _version;

        private protected SyncPrimitive(string? name, string kind)
        {
            if (name != null && name.Trim().Length == 0)
            {
                throw new ArgumentException("A lock name cannot be empty or blank.", nameof(name));
            }

            IsNamed = name != null;
            Name = name ?? kind + "-" + Interlocked.Increment(ref s_unnamedNumber);
        }

        /// <summary>The name given, or for an unnamed lock one made up for messages (Lock-1, RLock-2, Semaphore-3).</summary>
        public string Name { get; }

        /// <summary>True for a process-wide named lock; false for one made without a name.</summary>
        public bool IsNamed { get; }

        /// <summary>Lock, RLock or Semaphore, in Python's words.</summary>
        public abstract string Kind { get; }

        /// <summary>Who holds it now and since when, oldest first.</summary>
        public IReadOnlyList<LockHolding> Holders
        {
            get
            {
                lock (_sync)
                {
                    return CopyHoldings();
                }
            }
        }

        /// <summary>
        /// Waits without limit. Returns true (for Python's <c>acquire()</c>). The calling thread's stop ends the
        /// wait without taking the lock (see <see cref="BlockingWait"/>): Stop-WorkerThread, a pool item's stop,
        /// Ctrl+C on the main thread.
        /// </summary>
        public bool Acquire() => AcquireFromScript(null);

        /// <summary>
        /// Waits at most <paramref name="seconds"/>; 0 tries once, -1 waits without limit (see <see cref="WaitTimeout"/>).
        /// True when taken, false when the time ran out.
        /// </summary>
        public bool Acquire(double seconds) => AcquireFromScript(WaitTimeout.FromSeconds(seconds, "Acquire()"));

        /// <summary>
        /// Set by the module: tells the script that called <see cref="Acquire()"/> that it took over an
        /// abandoned hold (what the lock guards may be half-updated), given the name of the one that ended.
        /// </summary>
        internal static Action<SyncPrimitive, string>? AbandonedTakeNotice { get; set; }

        private bool AcquireFromScript(TimeSpan? timeout)
        {
            Action<SyncPrimitive, string>? notice = AbandonedTakeNotice;
            if (notice == null)
            {
                return Acquire(timeout, CancellationToken.None);
            }

            // Only the take-over is told: a reentrant lock taken again by its new holder says nothing more.
            WorkerThread self = ThreadRegistry.Current;
            bool heldAbandonedBefore = AbandonedByFor(self) != null;
            bool taken = Acquire(timeout, CancellationToken.None);
            string? abandonedBy = taken && !heldAbandonedBefore ? AbandonedByFor(self) : null;
            if (abandonedBy != null)
            {
                notice(this, abandonedBy);
            }

            return taken;
        }

        /// <summary>
        /// Takes the lock, waiting at most <paramref name="timeout"/> (null: no limit). Throws
        /// <see cref="OperationCanceledException"/> when cancelled, <see cref="BlockingWait.StoppedException"/>
        /// when the calling thread is stopped, and <see cref="DeadlockException"/> when this untimed wait is the
        /// one chosen to break a cycle (a timed wait is never chosen: it returns false at its timeout).
        /// </summary>
        internal bool Acquire(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            WaitTimeout.ThrowIfNegative(timeout, "Acquire()");
            cancellationToken.ThrowIfCancellationRequested();
            WorkerThread self = ThreadRegistry.Current;
            lock (_sync)
            {
                if (TryTake(self, isTimed: timeout.HasValue))
                {
                    _version++;
                    return true;
                }
            }

            // Before the zero-timeout return: a try that is repeated inline is a poll too.
            InlineRun.ThrowIfWouldBlock(this, isTimed: timeout.HasValue);
            if (timeout == TimeSpan.Zero)
            {
                return false;
            }

            return WaitToTake(self, timeout, cancellationToken);
        }

        /// <summary>Gives the lock back (one permit, one level of a reentrant lock); wakes one waiter.</summary>
        public void Release()
        {
            WorkerThread self = ThreadRegistry.Current;
            lock (_sync)
            {
                Give(self);
                NoteChange();
            }
        }

        /// <summary>The name, so that messages and tables show which lock.</summary>
        public override string ToString() => Name;

        /// <summary>Under the lock: takes it for <paramref name="self"/> if it can be had now.</summary>
        private protected abstract bool TryTake(WorkerThread self, bool isTimed);

        /// <summary>Under the lock: gives back what <paramref name="self"/> releases, or throws why it cannot.</summary>
        private protected abstract void Give(WorkerThread self);

        /// <summary>Reads what <paramref name="read"/> returns under the lock, at one instant.</summary>
        private protected T Read<T>(Func<T> read)
        {
            lock (_sync)
            {
                return read();
            }
        }

        /// <summary>Under the lock: whether a waiter could take it now.</summary>
        private protected abstract bool HasRoom { get; }

        /// <summary>
        /// How often a waiter tries again on its own, for a lock that can be freed without a pulse of this
        /// process's monitor (a machine lock released by another process); null: only at pulses.
        /// </summary>
        private protected virtual TimeSpan? PollInterval => null;

        /// <summary>Under the lock: the threads holding it, oldest first.</summary>
        private protected abstract IReadOnlyList<LockHolding> CopyHoldings();

        /// <summary>Runs <paramref name="change"/> under the lock as a change of state that may let a waiter in.</summary>
        private protected void ChangeState(Action change)
        {
            lock (_sync)
            {
                change();
                NoteChange();
            }
        }

        /// <summary>Under the lock, after a change: deadlock detection sees the new version; one waiter looks again.</summary>
        private void NoteChange()
        {
            _version++;
            if (_waiters > 0)
            {
                Monitor.Pulse(_sync);
            }
        }

        /// <summary>
        /// True while held by a thread that took it over from one that ended without releasing it (see
        /// <see cref="OnHolderEnded"/>): what that thread guarded may be half-updated. Clears on release.
        /// </summary>
        public bool Abandoned => AbandonedBy != null;

        /// <summary>While <see cref="Abandoned"/>: the name of the thread that ended holding it.</summary>
        public string? AbandonedBy
        {
            get
            {
                foreach (LockHolding holding in Holders)
                {
                    if (holding.AbandonedBy != null)
                    {
                        return holding.AbandonedBy;
                    }
                }

                return null;
            }
        }

        /// <summary>The name of the thread whose abandoned hold <paramref name="thread"/> took over, or null.</summary>
        internal string? AbandonedByFor(WorkerThread thread)
        {
            foreach (LockHolding holding in Holders)
            {
                if (ReferenceEquals(holding.Thread, thread) && holding.AbandonedBy != null)
                {
                    return holding.AbandonedBy;
                }
            }

            return null;
        }

        /// <summary>
        /// Called when a thread that holds this lock ends, before it is marked ended. The abandonment rule:
        /// a thread that failed or was stopped did not get to its release, so its holds are freed and the next
        /// taker is told (<see cref="Abandoned"/>); nothing else would ever free them. A thread that completed
        /// normally chose to leave a plain lock or a permit held, which Python allows as a hand-off to another
        /// thread that releases it, so those stay held; a reentrant lock, which only its holder may release,
        /// is freed whatever the outcome.
        /// </summary>
        internal void OnHolderEnded(WorkerThread thread, WorkerState outcome)
        {
            if (outcome == WorkerState.Completed && !IsOwned)
            {
                return;
            }

            ChangeState(() => Abandon(thread));
        }

        /// <summary>True when only the holder may release it: then nobody else can free what an ended holder kept.</summary>
        private protected abstract bool IsOwned { get; }

        /// <summary>Under the lock: frees every hold of <paramref name="thread"/>, marking each for its next taker.</summary>
        private protected abstract void Abandon(WorkerThread thread);

        LockState IWaitTarget.ReadState() => ReadState();

        /// <summary>What deadlock detection needs, read at one instant.</summary>
        internal LockState ReadState()
        {
            lock (_sync)
            {
                return new LockState(CopyHoldings(), HasRoom, _version);
            }
        }

        private bool WaitToTake(WorkerThread self, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            long deadline = WaitTimeout.Deadline(timeout);
            long checkEvery = WaitTimeout.ToTicks(DeadlockCheckInterval);
            long pollEvery = PollInterval.HasValue ? WaitTimeout.ToTicks(PollInterval.Value) : long.MaxValue;
            var wait = new ThreadWait(this, self, timeout.HasValue);
            WaitGraph? suspect = null;
            self.BeginWait(wait);
            BlockingWait stop = BlockingWait.Begin(cancellationToken);
            // Registered outside the monitor and disposed outside it: disposing waits for a running callback,
            // which needs the monitor.
            CancellationTokenRegistration registration = stop.Token.CanBeCanceled
                ? stop.Token.Register(s_wakeAllWaiters, this)
                : default;
            try
            {
                while (true)
                {
                    long nextCheck = Stopwatch.GetTimestamp() + checkEvery;
                    lock (_sync)
                    {
                        try
                        {
                            while (true)
                            {
                                if (TryTake(self, wait.IsTimed))
                                {
                                    _version++;
                                    return true;
                                }

                                long now = Stopwatch.GetTimestamp();
                                if (now >= deadline)
                                {
                                    return false;
                                }

                                if (now >= nextCheck || stop.IsCancellationRequested)
                                {
                                    break;
                                }

                                _waiters++;
                                try
                                {
                                    long wakeAt = Math.Min(Math.Min(deadline, nextCheck), now + Math.Min(pollEvery, checkEvery));
                                    Monitor.Wait(_sync, WaitTimeout.MillisecondsLeft(wakeAt));
                                }
                                finally
                                {
                                    _waiters--;
                                }
                            }
                        }
                        finally
                        {
                            // A pulse meant for one waiter may have woken this one, which is leaving: pass it on.
                            if (_waiters > 0 && HasRoom)
                            {
                                Monitor.Pulse(_sync);
                            }
                        }
                    }

                    stop.ThrowIfCancellationRequested();
                    // Outside the monitor: detection reads other locks, and holding this one meanwhile could
                    // deadlock two detecting threads on each other's monitors.
                    suspect = DeadlockDetector.Look(wait, suspect);
                }
            }
            finally
            {
                registration.Dispose();
                stop.Dispose();
                self.EndWait(wait);
            }
        }

        private static void WakeAllWaiters(object? state)
        {
            var primitive = (SyncPrimitive)state!;
            lock (primitive._sync)
            {
                Monitor.PulseAll(primitive._sync);
            }
        }
    }
}

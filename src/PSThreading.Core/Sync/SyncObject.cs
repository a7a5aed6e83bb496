using System;
using System.Collections.Generic;
using System.Threading;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// What the toolbox objects (event, condition, barrier, queue) share: a name, a monitor guarding their
    /// state, and one way to block until that state allows going on. The wait is a module wait like a lock's:
    /// Get-ActiveThread shows it, and the calling thread's stop ends it (see <see cref="BlockingWait"/>).
    /// Nobody holds these objects, so a wait on one never closes a deadlock cycle.
    /// </summary>
    public abstract class SyncObject : ISyncObject, IWaitTarget
    {
        private static readonly Action<object?> s_wakeAll = WakeAll;
        private static int s_unnamedNumber;

        private readonly List<WorkerThread> _waiting = new List<WorkerThread>();
        private long _version;

        private protected SyncObject(string? name, string kind)
        {
            if (name != null && name.Trim().Length == 0)
            {
                throw new ArgumentException($"A {kind.ToLowerInvariant()} name cannot be empty or blank.", nameof(name));
            }

            IsNamed = name != null;
            Name = name ?? kind + "-" + Interlocked.Increment(ref s_unnamedNumber);
        }

        public string Name { get; }

        public bool IsNamed { get; }

        public abstract string Kind { get; }

        /// <summary>A few words on the state for tables: set, 3 of 10, broken.</summary>
        public abstract string State { get; }

        /// <summary>The threads blocked on it now, oldest wait first.</summary>
        public IReadOnlyList<WorkerThread> Waiters
        {
            get
            {
                lock (Sync)
                {
                    return _waiting.ToArray();
                }
            }
        }

        /// <summary>The monitor that guards the object's state.</summary>
        private protected object Sync { get; } = new object();

        public override string ToString() => Name;

        /// <summary>Under the monitor, after a change of state: every waiter looks again.</summary>
        private protected void WakeWaiters()
        {
            _version++;
            Monitor.PulseAll(Sync);
        }

        /// <summary>
        /// Blocks until <paramref name="tryFinish"/>, run under the monitor, returns true (it may also throw, to
        /// end the wait with an error): true then, false when <paramref name="timeout"/> (null: none) ran out
        /// first. Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is
        /// cancelled and <see cref="BlockingWait.StoppedException"/> when the calling thread is stopped. Called
        /// outside the monitor. <paramref name="nextChance"/> (under the monitor: a Stopwatch timestamp) is for a
        /// state that time alone changes, such as a rate limiter's window: the wait looks again then, unwoken.
        /// </summary>
        private protected bool WaitUntil(Func<bool> tryFinish, TimeSpan? timeout, CancellationToken cancellationToken, Func<long>? nextChance = null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (Sync)
            {
                if (tryFinish())
                {
                    return true;
                }
            }

            // Before the zero-timeout return: a try that is repeated inline is a poll too. A wait that time ends
            // (nextChance) needs no other thread, so inline it may block.
            if (nextChance == null)
            {
                InlineRun.ThrowIfWouldBlock(this, isTimed: timeout.HasValue);
            }

            if (timeout == TimeSpan.Zero)
            {
                return false;
            }

            long deadline = WaitTimeout.Deadline(timeout);
            WorkerThread self = ThreadRegistry.Current;
            var wait = new ThreadWait(this, self, timeout.HasValue);
            self.BeginWait(wait);
            BlockingWait stop = BlockingWait.Begin(cancellationToken);
            // Registered and disposed outside the monitor: disposing waits for a running callback, which needs it.
            CancellationTokenRegistration registration = stop.Token.CanBeCanceled ? stop.Token.Register(s_wakeAll, this) : default;
            try
            {
                lock (Sync)
                {
                    _waiting.Add(self);
                    try
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            if (tryFinish())
                            {
                                return true;
                            }

                            if (System.Diagnostics.Stopwatch.GetTimestamp() >= deadline)
                            {
                                return false;
                            }

                            Monitor.Wait(Sync, WaitTimeout.MillisecondsLeft(nextChance == null ? deadline : Math.Min(deadline, nextChance())));
                        }
                    }
                    finally
                    {
                        _waiting.Remove(self);
                    }
                }

                stop.ThrowIfCancellationRequested();
                return false;
            }
            finally
            {
                registration.Dispose();
                stop.Dispose();
                self.EndWait(wait);
            }
        }

        LockState IWaitTarget.ReadState()
        {
            lock (Sync)
            {
                return new LockState(Array.Empty<LockHolding>(), hasRoom: false, _version);
            }
        }

        private static void WakeAll(object? state)
        {
            var target = (SyncObject)state!;
            lock (target.Sync)
            {
                Monitor.PulseAll(target.Sync);
            }
        }
    }
}

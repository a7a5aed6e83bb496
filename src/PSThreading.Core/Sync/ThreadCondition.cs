using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Python's <c>threading.Condition</c> over a <see cref="ThreadLock"/> (a new reentrant one by default, as
    /// in Python). A waiter gives the lock up while it waits and has it back when it returns; notifying wakes
    /// the oldest waiters. Both need the lock held by the calling thread.
    /// </summary>
    public sealed class ThreadCondition : SyncObject
    {
        private static Func<object?, bool> s_isTrue = DefaultIsTrue;

        private readonly LinkedList<Ticket> _tickets = new LinkedList<Ticket>();

        internal ThreadCondition(ThreadLock? threadLock = null, string? name = null)
            : base(name, "Condition")
        {
            Lock = threadLock ?? new ThreadLock(null, reentrant: true);
        }

        public override string Kind => "Condition";

        public override string State => Lock.IsLocked ? $"lock held by {Lock.Owner?.Name}" : "lock free";

        /// <summary>The lock the condition is used under: Invoke-WithLock $condition takes it.</summary>
        public ThreadLock Lock { get; }

        /// <summary>
        /// How a predicate's value counts as true. The module sets PowerShell's rule; the default knows null,
        /// booleans, numbers, strings and collections.
        /// </summary>
        internal static Func<object?, bool> IsTrue
        {
            get => Volatile.Read(ref s_isTrue);
            set => Volatile.Write(ref s_isTrue, value ?? DefaultIsTrue);
        }

        /// <summary>Gives the lock up and waits without limit for a notify; has the lock back on return. Returns true.</summary>
        public bool Wait() => Wait(null, CancellationToken.None);

        /// <summary>As <see cref="Wait()"/>, at most <paramref name="seconds"/>: false at the timeout (the lock is back either way).</summary>
        public bool Wait(double seconds) => Wait(WaitTimeout.FromSeconds(seconds, "Wait()"), CancellationToken.None);

        internal bool Wait(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            WorkerThread self = ThreadRegistry.Current;
            var ticket = new Ticket();
            int levels = Lock.ReleaseForWait(self, $"Waiting on condition '{Name}'");
            lock (Sync)
            {
                // Queued only now, yet no notify was missed: a notifier needs the lock, which was ours until just now.
                _tickets.AddLast(ticket);
            }

            try
            {
                return WaitUntil(() => ticket.IsNotified, timeout, cancellationToken);
            }
            finally
            {
                lock (Sync)
                {
                    if (!ticket.IsNotified)
                    {
                        _tickets.Remove(ticket);
                    }
                }

                Lock.RestoreAfterWait(levels);
            }
        }

        /// <summary>Python's <c>wait_for</c> without limit: waits until <paramref name="predicate"/>, run on this thread, is true; returns its value.</summary>
        public object? WaitFor(Func<object?> predicate) => WaitFor(predicate, null, CancellationToken.None);

        /// <summary>Python's <c>wait_for</c>: waits at most <paramref name="seconds"/>; returns the predicate's last value.</summary>
        public object? WaitFor(Func<object?> predicate, double seconds) =>
            WaitFor(predicate, WaitTimeout.FromSeconds(seconds, "WaitFor(predicate)"), CancellationToken.None);

        internal object? WaitFor(Func<object?> predicate, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (predicate == null)
            {
                throw new ArgumentNullException(nameof(predicate), "WaitFor needs a predicate: a script block that returns $true when the wait is over.");
            }

            long deadline = WaitTimeout.Deadline(timeout);
            object? result = predicate();
            while (!IsTrue(result))
            {
                TimeSpan? left = WaitTimeout.TimeLeft(deadline);
                if (left == TimeSpan.Zero)
                {
                    break;
                }

                Wait(left, cancellationToken);
                result = predicate();
            }

            return result;
        }

        /// <summary>Wakes the oldest waiter, if any.</summary>
        public void Notify() => Notify(1);

        /// <summary>Wakes the <paramref name="count"/> oldest waiters (fewer if fewer wait).</summary>
        public void Notify(int count)
        {
            if (count < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "Notify(n) wakes n waiters: give 0 or more.");
            }

            ThrowIfLockNotHeld("Notify()");
            lock (Sync)
            {
                for (int i = 0; i < count && _tickets.Count > 0; i++)
                {
                    _tickets.First!.Value.IsNotified = true;
                    _tickets.RemoveFirst();
                }

                WakeWaiters();
            }
        }

        /// <summary>Wakes every waiter.</summary>
        public void NotifyAll() => Notify(int.MaxValue);

        private void ThrowIfLockNotHeld(string call)
        {
            WorkerThread self = ThreadRegistry.Current;
            if (!ReferenceEquals(Lock.Owner, self))
            {
                throw new LockNotHeldException(Lock,
                    $"{call} on condition '{Name}' needs its lock '{Lock.Name}' held by the calling thread '{self.Name}', which does not hold it. " +
                    "Take the lock first: Invoke-WithLock $condition { ... }, or $condition.Lock.Acquire() and Release().");
            }
        }

        private static bool DefaultIsTrue(object? value) => value switch
        {
            null => false,
            bool flag => flag,
            string text => text.Length > 0,
            int number => number != 0,
            long number => number != 0,
            double number => number != 0,
            ICollection list => list.Count > 0,
            _ => true,
        };

        private sealed class Ticket
        {
            public bool IsNotified { get; set; }
        }
    }
}

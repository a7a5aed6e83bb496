using System;
using System.Collections.Generic;
using System.Threading;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Python's <c>threading.BoundedSemaphore</c>: <see cref="Count"/> permits; each acquire takes one, each
    /// release gives one back and lets one waiter through, and releasing more than was taken is an error.
    /// Any thread may release; the record of who took each permit serves diagnostics and deadlock detection.
    /// Made unbounded, it is Python's plain <c>threading.Semaphore</c>: a release past the start count adds a
    /// permit, and a count of 0 is allowed (a semaphore used as a signal).
    /// </summary>
    public sealed class ThreadSemaphore : SyncPrimitive
    {
        private readonly List<LockHolding> _holdings = new List<LockHolding>();
        // One name per permit freed from a thread that ended without releasing it, for the permit's next taker.
        private readonly Queue<string> _abandonedPermits = new Queue<string>();

        // Permits added by releases of an unbounded semaphore beyond what was taken. A long, so that the sum with
        // Count and the permits held cannot wrap; the free count itself stays within an int (see MostFree).
        private long _added;

        internal ThreadSemaphore(int count, string? name = null)
            : this(count, name, bounded: true)
        {
        }

        internal ThreadSemaphore(int count, string? name, bool bounded)
            : base(name, "Semaphore")
        {
            if (count < (bounded ? 1 : 0))
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, bounded
                    ? "A bounded semaphore needs a count of 1 or more: the number of threads let in at once."
                    : "A semaphore's count is 0 or more.");
            }

            Count = count;
            IsBounded = bounded;
        }

        /// <summary>True (the default): releasing more than was taken is an error. False: Python's plain Semaphore.</summary>
        public bool IsBounded { get; }

        public override string Kind => "Semaphore";

        /// <summary>The number of permits it was made with: for a bounded semaphore, the most threads inside at once.</summary>
        public int Count { get; }

        /// <summary>Permits free now.</summary>
        public int CurrentCount => Read(() => (int)Math.Min(Free, int.MaxValue));

        /// <summary>
        /// The most permits that can be free at once: the count for a bounded semaphore; for an unbounded one
        /// [int]::MaxValue, as for .NET's SemaphoreSlim, beyond which a release is refused rather than wrapping
        /// the count to a negative one that no acquire could ever pass.
        /// </summary>
        private long MostFree => IsBounded ? Count : int.MaxValue;

        // Under the lock: permits free now.
        private long Free => Count + _added - _holdings.Count;

        /// <summary>
        /// Gives back <paramref name="count"/> permits at once, waking as many waiters. A release that would free
        /// more than the semaphore can count (for a bounded one: more than are taken) is refused and releases none.
        /// Costs the same whatever <paramref name="count"/> is, beyond the permits held.
        /// </summary>
        public void Release(int count)
        {
            if (count < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "Release(n) gives back n permits: give 1 or more.");
            }

            WorkerThread self = ThreadRegistry.Current;
            ChangeState(() =>
            {
                ThrowIfOverRelease(count);
                int given = Math.Min(count, _holdings.Count);
                for (int i = 0; i < given; i++)
                {
                    Give(self);
                }

                _added += count - given;
            });
        }

        private protected override bool HasRoom => Free > 0;

        private protected override bool IsOwned => false;

        private protected override bool TryTake(WorkerThread self, bool isTimed)
        {
            if (Free <= 0)
            {
                return false;
            }

            string? abandonedBy = _abandonedPermits.Count > 0 ? _abandonedPermits.Dequeue() : null;
            _holdings.Add(new LockHolding(self, DateTime.UtcNow.Ticks, abandonedBy));
            self.NoteHeld(this);
            return true;
        }

        private protected override void Give(WorkerThread self)
        {
            ThrowIfOverRelease(1);
            if (_holdings.Count == 0)
            {
                _added++;
                return;
            }

            // The releasing thread gives back its own permit if it has one, else the oldest one (Python lets any thread release).
            int index = Math.Max(0, _holdings.FindIndex(h => ReferenceEquals(h.Thread, self)));
            LockHolding given = _holdings[index];
            _holdings.RemoveAt(index);
            given.Thread.NoteReleased(this);
        }

        private protected override IReadOnlyList<LockHolding> CopyHoldings() => _holdings.ToArray();

        /// <summary>Under the lock: refuses a release of <paramref name="count"/> that would free more than <see cref="MostFree"/>.</summary>
        private void ThrowIfOverRelease(int count)
        {
            long free = Free;
            if (count <= MostFree - free)
            {
                return;
            }

            string call = count == 1 ? "Release()" : $"Release({count})";
            if (IsBounded)
            {
                throw OverRelease(_holdings.Count == 0
                    ? $"all {Count} of its permits are free already"
                    : $"{call} would give back more permits than the {_holdings.Count} taken");
            }

            throw new SemaphoreOverReleaseException(this,
                $"Cannot release semaphore '{Name}': {call} would make {free + count} permits free, more than the {int.MaxValue} a " +
                $"semaphore can count. Nothing was released ({free} stay free): release fewer, or take some with Acquire() first.");
        }

        private SemaphoreOverReleaseException OverRelease(string why) => new SemaphoreOverReleaseException(this,
            $"Cannot release semaphore '{Name}': {why}. Release it once for each Acquire() that returned $true, no more " +
            "(Invoke-WithLock does both for you), or make it with New-ThreadSemaphore -Unbounded to let releases add permits.");

        private protected override void Abandon(WorkerThread thread)
        {
            for (int i = _holdings.Count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(_holdings[i].Thread, thread))
                {
                    _holdings.RemoveAt(i);
                    _abandonedPermits.Enqueue(thread.Name);
                    thread.NoteReleased(this);
                }
            }
        }
    }
}

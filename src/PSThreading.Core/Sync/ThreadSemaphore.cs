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

        // Permits added by releases of an unbounded semaphore beyond what was taken.
        private int _added;

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
        public int CurrentCount
        {
            get
            {
                int added = Volatile.Read(ref _added);
                return Count + added - Holders.Count;
            }
        }

        /// <summary>Gives back <paramref name="count"/> permits at once, waking as many waiters. A bounded semaphore refuses, releasing none, more than are taken.</summary>
        public void Release(int count)
        {
            if (count < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "Release(n) gives back n permits: give 1 or more.");
            }

            WorkerThread self = ThreadRegistry.Current;
            ChangeState(() =>
            {
                if (IsBounded && count > _holdings.Count)
                {
                    throw OverRelease($"Release({count}) would give back more permits than the {_holdings.Count} taken");
                }

                for (int i = 0; i < count; i++)
                {
                    Give(self);
                }
            });
        }

        private protected override bool HasRoom => _holdings.Count < Count + _added;

        private protected override bool IsOwned => false;

        private protected override bool TryTake(WorkerThread self, bool isTimed)
        {
            if (_holdings.Count >= Count + _added)
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
            if (_holdings.Count == 0)
            {
                if (!IsBounded)
                {
                    _added++;
                    return;
                }

                throw OverRelease($"all {Count} of its permits are free already");
            }

            // The releasing thread gives back its own permit if it has one, else the oldest one (Python lets any thread release).
            int index = Math.Max(0, _holdings.FindIndex(h => ReferenceEquals(h.Thread, self)));
            LockHolding given = _holdings[index];
            _holdings.RemoveAt(index);
            given.Thread.NoteReleased(this);
        }

        private protected override IReadOnlyList<LockHolding> CopyHoldings() => _holdings.ToArray();

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

using System;
using System.Collections.Generic;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Python's <c>threading.BoundedSemaphore</c>: <see cref="Count"/> permits; each acquire takes one, each
    /// release gives one back and lets one waiter through, and releasing more than was taken is an error.
    /// Any thread may release; the record of who took each permit serves diagnostics and deadlock detection.
    /// </summary>
    public sealed class ThreadSemaphore : SyncPrimitive
    {
        private readonly List<LockHolding> _holdings = new List<LockHolding>();
        // One name per permit freed from a thread that ended without releasing it, for the permit's next taker.
        private readonly Queue<string> _abandonedPermits = new Queue<string>();

        internal ThreadSemaphore(int count, string? name = null)
            : base(name, "Semaphore")
        {
            if (count < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "A semaphore needs a count of 1 or more: the number of threads let in at once.");
            }

            Count = count;
        }

        public override string Kind => "Semaphore";

        /// <summary>The number of permits it was made with: the most threads inside at once.</summary>
        public int Count { get; }

        /// <summary>Permits free now.</summary>
        public int CurrentCount => Count - Holders.Count;

        private protected override bool HasRoom => _holdings.Count < Count;

        private protected override bool IsOwned => false;

        private protected override bool TryTake(WorkerThread self, bool isTimed)
        {
            if (_holdings.Count >= Count)
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
                throw new SemaphoreOverReleaseException(this,
                    $"Cannot release semaphore '{Name}': all {Count} of its permits are free already. " +
                    "Release it once for each Acquire() that returned $true, no more; Invoke-WithLock does both for you.");
            }

            // The releasing thread gives back its own permit if it has one, else the oldest one (Python lets any thread release).
            int index = Math.Max(0, _holdings.FindIndex(h => ReferenceEquals(h.Thread, self)));
            LockHolding given = _holdings[index];
            _holdings.RemoveAt(index);
            given.Thread.NoteReleased(this);
        }

        private protected override IReadOnlyList<LockHolding> CopyHoldings() => _holdings.ToArray();

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

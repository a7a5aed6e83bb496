using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Python's <c>queue.Queue</c>: first in, first out, bounded by <see cref="Capacity"/> (0: unbounded). A
    /// full queue makes adders wait, an empty one takers. <see cref="TaskDone"/> and <see cref="Join()"/> are
    /// Python's <c>task_done</c> and <c>join</c>; <see cref="Complete"/> ends the adding: takers get what is
    /// left, then a QueueCompleted error, which tells a consumer loop that it is done.
    /// </summary>
    public sealed class ThreadQueue : SyncObject
    {
        private readonly Queue<object?> _items = new Queue<object?>();
        private int _unfinished;
        private bool _completed;

        internal ThreadQueue(int capacity = 0, string? name = null)
            : base(name, "Queue")
        {
            if (capacity < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A queue's capacity is 0 (unbounded) or more.");
            }

            Capacity = capacity;
        }

        public override string Kind => "Queue";

        public override string State
        {
            get
            {
                lock (Sync)
                {
                    string count = Capacity == 0
                        ? _items.Count.ToString(CultureInfo.InvariantCulture)
                        : string.Format(CultureInfo.InvariantCulture, "{0} of {1}", _items.Count, Capacity);
                    return _completed ? count + " completed" : count;
                }
            }
        }

        /// <summary>The most items it holds at once; 0: no limit.</summary>
        public int Capacity { get; }

        public int Count
        {
            get
            {
                lock (Sync)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsEmpty => Count == 0;

        public bool IsFull
        {
            get
            {
                lock (Sync)
                {
                    return IsFullNow;
                }
            }
        }

        /// <summary>True once <see cref="Complete"/> was called: no more adds.</summary>
        public bool IsCompleted
        {
            get
            {
                lock (Sync)
                {
                    return _completed;
                }
            }
        }

        private bool IsFullNow => Capacity > 0 && _items.Count >= Capacity;

        /// <summary>Adds <paramref name="item"/>, waiting without limit while the queue is full. Returns true.</summary>
        public bool Add(object? item) => Add(item, null, CancellationToken.None);

        /// <summary>Adds <paramref name="item"/>, waiting at most <paramref name="seconds"/> for room: false when still full.</summary>
        public bool Add(object? item, double seconds) => Add(item, WaitTimeout.FromSeconds(seconds, "Add(item)"), CancellationToken.None);

        /// <summary>Adds <paramref name="item"/>, waiting at most <paramref name="timeout"/> (null: no limit) for room.</summary>
        internal bool Add(object? item, TimeSpan? timeout, CancellationToken cancellationToken) => WaitUntil(
            () =>
            {
                ThrowIfCompleted();
                if (IsFullNow)
                {
                    return false;
                }

                _items.Enqueue(item);
                _unfinished++;
                WakeWaiters();
                return true;
            },
            timeout,
            cancellationToken);

        /// <summary>Takes the oldest item, waiting without limit for one.</summary>
        public object? Take() => Take(null, CancellationToken.None);

        /// <summary>Takes the oldest item, waiting at most <paramref name="seconds"/>; then a QueueEmpty error.</summary>
        public object? Take(double seconds) => Take(WaitTimeout.FromSeconds(seconds, "Take()"), CancellationToken.None);

        /// <summary>
        /// Takes the oldest item, waiting at most <paramref name="timeout"/> (null: no limit). Throws
        /// <see cref="QueueEmptyException"/> at the timeout and <see cref="QueueCompletedException"/> when the
        /// queue is completed and nothing is left.
        /// </summary>
        internal object? Take(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            object? item = null;
            bool taken = WaitUntil(
                () =>
                {
                    if (TryDequeue(out item))
                    {
                        return true;
                    }

                    if (_completed)
                    {
                        throw new QueueCompletedException(this,
                            $"Queue '{Name}' is completed and empty: every item was taken. A consumer ends here; " +
                            "Receive-ThreadQueue ends its output at this point without an error.");
                    }

                    return false;
                },
                timeout,
                cancellationToken);
            if (!taken)
            {
                throw new QueueEmptyException(this,
                    $"Queue '{Name}' was still empty after {timeout?.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds. " +
                    "Wait longer, call Take() without a timeout to wait for an item, or use TryTake([ref] $item) to look without waiting.");
            }

            return item;
        }

        /// <summary>Takes the oldest item if there is one, without waiting.</summary>
        public bool TryTake(out object? item)
        {
            lock (Sync)
            {
                return TryDequeue(out item);
            }
        }

        /// <summary>Marks one taken item as processed (Python's <c>task_done</c>); when none is left unprocessed, Join returns.</summary>
        public void TaskDone()
        {
            lock (Sync)
            {
                if (_unfinished == 0)
                {
                    throw new QueueTaskDoneTooOftenException(this,
                        $"TaskDone() was called on queue '{Name}' more times than items were added. Call it once for each item taken, after processing it.");
                }

                _unfinished--;
                if (_unfinished == 0)
                {
                    WakeWaiters();
                }
            }
        }

        /// <summary>Waits without limit until every item added was taken and marked with <see cref="TaskDone"/>. Returns true.</summary>
        public bool Join() => Join(null, CancellationToken.None);

        /// <summary>Waits at most <paramref name="seconds"/> for every item to be done: false at the timeout.</summary>
        public bool Join(double seconds) => Join(WaitTimeout.FromSeconds(seconds, "Join()"), CancellationToken.None);

        internal bool Join(TimeSpan? timeout, CancellationToken cancellationToken) =>
            WaitUntil(() => _unfinished == 0, timeout, cancellationToken);

        /// <summary>No more adds: Add fails with QueueCompleted from now on, and takers get the rest, then QueueCompleted.</summary>
        public void Complete()
        {
            lock (Sync)
            {
                _completed = true;
                WakeWaiters();
            }
        }

        private bool TryDequeue(out object? item)
        {
            if (_items.Count == 0)
            {
                item = null;
                return false;
            }

            item = _items.Dequeue();
            WakeWaiters();
            return true;
        }

        private void ThrowIfCompleted()
        {
            if (_completed)
            {
                throw new QueueCompletedException(this,
                    $"Queue '{Name}' is completed: Complete() was called, so nothing more can be added. Add every item before completing it.");
            }
        }
    }
}

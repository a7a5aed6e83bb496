using System;
using System.Collections.Generic;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// The items of a pool call that wait to start: fresh ones in input order, and items waiting to run again
    /// after a failed attempt (each due at a time of its own; they go first once due, being older). With a
    /// per-key limit (<see cref="KeyLimit"/>), an item whose key already runs that many items is passed over,
    /// not waited for: the next item of another key starts (no head-of-line blocking).
    /// </summary>
    /// <remarks>Not thread-safe: the scheduler calls it under its lock.</remarks>
    internal sealed class PoolQueue
    {
        // Without a key limit: a plain queue, the cheapest for tiny items.
        private readonly Queue<PoolWorkItem>? _fresh;
        // With one: a list, scanned from the front for the first item whose key has room.
        private readonly LinkedList<PoolWorkItem>? _keyedFresh;
        private readonly List<PoolWorkItem> _retrying = new List<PoolWorkItem>();
        private readonly Dictionary<string, int>? _runningPerKey;
        // An item taken and given back at once (the rate had no permit for it): first in line next time.
        private PoolWorkItem? _front;

        public PoolQueue(int keyLimit)
        {
            if (keyLimit < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(keyLimit), keyLimit, "A per-key limit is 1 or more, or 0 for none.");
            }

            KeyLimit = keyLimit;
            if (keyLimit > 0)
            {
                _keyedFresh = new LinkedList<PoolWorkItem>();
                _runningPerKey = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            }
            else
            {
                _fresh = new Queue<PoolWorkItem>();
            }
        }

        /// <summary>The most items of one key that run at once; 0 when items have no keys.</summary>
        public int KeyLimit { get; }

        public bool IsKeyed => KeyLimit > 0;

        /// <summary>Every waiting item: fresh and waiting to run again.</summary>
        public int Count => FreshCount + _retrying.Count + (_front == null ? 0 : 1);

        /// <summary>Items not started yet: they hold the highest indexes of the call.</summary>
        public int FreshCount => (_fresh?.Count ?? _keyedFresh!.Count) + (_front != null && _front.Attempt == 0 ? 1 : 0);

        /// <summary>Items waiting to run again after a failed attempt (an item given back is one while it waits first in line).</summary>
        public IReadOnlyList<PoolWorkItem> Retrying => _front != null && _front.Attempt > 0 ? new List<PoolWorkItem>(_retrying) { _front } : (IReadOnlyList<PoolWorkItem>)_retrying;

        /// <summary>Items that wait only because their key runs as many items as it may (for progress).</summary>
        public int CountKeyBlocked()
        {
            if (_runningPerKey == null)
            {
                return 0;
            }

            int blocked = 0;
            foreach (PoolWorkItem item in _keyedFresh!)
            {
                if (!HasRoom(item))
                {
                    blocked++;
                }
            }

            return blocked;
        }

        public void Enqueue(PoolWorkItem item)
        {
            if (_fresh != null)
            {
                _fresh.Enqueue(item);
            }
            else
            {
                _keyedFresh!.AddLast(item);
            }
        }

        /// <summary>An item whose attempt failed waits until <paramref name="dueAt"/> (a Stopwatch timestamp) to run again.</summary>
        public void EnqueueRetry(PoolWorkItem item, long dueAt)
        {
            item.RetryDueAt = dueAt;
            _retrying.Add(item);
        }

        /// <summary>Gives back an item just taken that may not start yet: it is the first taken next time.</summary>
        public void PutBack(PoolWorkItem item) => _front = item;

        /// <summary>The item that has waited longest (for how long items wait for a worker).</summary>
        public PoolWorkItem Peek()
        {
            PoolWorkItem? oldest = _front ?? (_fresh != null ? (_fresh.Count > 0 ? _fresh.Peek() : null) : _keyedFresh!.First?.Value);
            foreach (PoolWorkItem retry in _retrying)
            {
                if (oldest == null || retry.QueuedTimestamp < oldest.QueuedTimestamp)
                {
                    oldest = retry;
                }
            }

            return oldest ?? throw new InvalidOperationException("No item waits.");
        }

        public void Clear()
        {
            _front = null;
            _fresh?.Clear();
            _keyedFresh?.Clear();
            _retrying.Clear();
        }

        /// <summary>Drops the fresh items only: what a halted call never started. Items waiting to run again stay.</summary>
        public void ClearFresh()
        {
            if (_front != null && _front.Attempt == 0)
            {
                _front = null;
            }

            _fresh?.Clear();
            _keyedFresh?.Clear();
        }

        /// <summary>
        /// Takes the item to start now: a due retry first, then the oldest fresh item whose key has room.
        /// False when none may start now; <paramref name="nextDue"/> is then the Stopwatch timestamp at which a
        /// retry falls due (long.MaxValue: none waits for time, only for a key's running item to end).
        /// </summary>
        public bool TryTake(long now, out PoolWorkItem? item, out long nextDue)
        {
            nextDue = long.MaxValue;
            if (_front != null)
            {
                item = _front;
                _front = null;
                return true;
            }

            int dueAt = -1;
            for (int i = 0; i < _retrying.Count; i++)
            {
                PoolWorkItem retry = _retrying[i];
                if (!HasRoom(retry))
                {
                    continue;
                }

                if (retry.RetryDueAt > now)
                {
                    nextDue = Math.Min(nextDue, retry.RetryDueAt);
                }
                else if (dueAt < 0 || retry.Index < _retrying[dueAt].Index)
                {
                    dueAt = i;
                }
            }

            if (dueAt >= 0)
            {
                item = _retrying[dueAt];
                _retrying.RemoveAt(dueAt);
                return true;
            }

            if (_fresh != null)
            {
                if (_fresh.Count > 0)
                {
                    item = _fresh.Dequeue();
                    return true;
                }
            }
            else
            {
                for (LinkedListNode<PoolWorkItem>? node = _keyedFresh!.First; node != null; node = node.Next)
                {
                    if (HasRoom(node.Value))
                    {
                        item = node.Value;
                        _keyedFresh.Remove(node);
                        return true;
                    }
                }
            }

            item = null;
            return false;
        }

        /// <summary>The item starts: it counts against its key until <see cref="Ended"/>.</summary>
        public void Started(PoolWorkItem item)
        {
            if (_runningPerKey != null)
            {
                string key = item.Key ?? string.Empty;
                _runningPerKey.TryGetValue(key, out int running);
                _runningPerKey[key] = running + 1;
            }
        }

        /// <summary>The item's code no longer runs: its key's slot is free. True when an item of that key waits for it.</summary>
        public bool Ended(PoolWorkItem item)
        {
            if (_runningPerKey == null)
            {
                return false;
            }

            string key = item.Key ?? string.Empty;
            if (_runningPerKey.TryGetValue(key, out int running))
            {
                if (running <= 1)
                {
                    _runningPerKey.Remove(key);
                }
                else
                {
                    _runningPerKey[key] = running - 1;
                }
            }

            return Count > 0;
        }

        private bool HasRoom(PoolWorkItem item)
        {
            if (_runningPerKey == null)
            {
                return true;
            }

            return !_runningPerKey.TryGetValue(item.Key ?? string.Empty, out int running) || running < KeyLimit;
        }
    }
}

using System;
using System.Collections.Generic;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// Puts results that finish in any order back into input order: Python's <c>Executor.map</c>. Holds only
    /// the results that wait for an earlier one; the rest leave at once. Not thread-safe: its owner locks.
    /// </summary>
    internal sealed class OrderedResultBuffer<T>
    {
        private readonly Dictionary<long, T> _waiting = new Dictionary<long, T>();
        // Positions that TakeAll passed over before their result arrived: one may still arrive, late.
        private readonly HashSet<long> _skipped = new HashSet<long>();
        private long _next;

        /// <summary>The position the next result to leave must have.</summary>
        public long NextIndex => _next;

        /// <summary>How many results wait for an earlier one.</summary>
        public int WaitingCount => _waiting.Count;

        /// <summary>
        /// Adds the result for input position <paramref name="index"/>; each position once. False, and the result
        /// is dropped, when <see cref="TakeAll"/> already passed over the position: its writer has moved on.
        /// </summary>
        public bool Add(long index, T result)
        {
            if (_skipped.Remove(index))
            {
                return false;
            }

            if (index < _next || _waiting.ContainsKey(index))
            {
                throw new ArgumentException($"A result for position {index} was already added.", nameof(index));
            }

            _waiting.Add(index, result);
            return true;
        }

        /// <summary>Takes the next result in input order, if it has arrived.</summary>
        public bool TryTakeNext(out T result)
        {
            if (_waiting.TryGetValue(_next, out result!))
            {
                _waiting.Remove(_next);
                _next++;
                return true;
            }

            result = default!;
            return false;
        }

        /// <summary>Takes every result still held, in input order, skipping the positions that never arrived.</summary>
        public List<T> TakeAll()
        {
            var keys = new List<long>(_waiting.Keys);
            keys.Sort();
            var results = new List<T>(keys.Count);
            foreach (long key in keys)
            {
                results.Add(_waiting[key]);
            }

            _waiting.Clear();
            if (keys.Count > 0)
            {
                long last = keys[keys.Count - 1];
                int taken = 0;
                for (long position = _next; position < last; position++)
                {
                    if (keys[taken] == position)
                    {
                        taken++;
                    }
                    else
                    {
                        _skipped.Add(position);
                    }
                }

                _next = last + 1;
            }

            return results;
        }
    }
}

using System.Diagnostics;
using System.Threading;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// What a worker that runs several items in one round trip needs (a remote session): more items at once
    /// without waiting, and an item given back to the queue when the worker was lost before it finished it.
    /// </summary>
    internal sealed partial class ThreadPoolScheduler
    {
        /// <summary>
        /// Takes a queued item for <paramref name="workerIndex"/> if one waits and the throttle has room; null at once
        /// otherwise. What fills a batch after <see cref="TakeNext"/> gave its first item.
        /// </summary>
        public PoolWorkItem? TryTakeQueued(int workerIndex)
        {
            lock (_sync)
            {
                if (_cancelled || _halted || _queued.Count == 0 || _runningCount >= ThrottleLimit)
                {
                    return null;
                }

                // A rate, a retry's time or a key may hold the items back, as in TakeNext.
                PoolWorkItem? startable = TakeStartable(out _);
                return startable == null ? null : Start(startable, workerIndex);
            }
        }

        /// <summary>
        /// Puts a running item back in the queue: its worker is gone before the item ended (a remote session lost,
        /// or the rest of a batch stopped for another item's timeout). False when the item had already ended (it
        /// timed out meanwhile) or the call is over: then it only gives its slot back.
        /// </summary>
        public bool Requeue(PoolWorkItem item)
        {
            lock (_sync)
            {
                if (item.HoldsSlot)
                {
                    item.HoldsSlot = false;
                    _running.Remove(item);
                    _runningCount--;
                    _queued.Ended(item);
                }

                _version++;
                if (_cancelled || _halted || !item.TryRequeue())
                {
                    return false;
                }

                item.WorkerIndex = -1;
                item.QueuedTimestamp = Stopwatch.GetTimestamp();
                _queued.Enqueue(item);
                Volatile.Write(ref _queuedCount, _queued.Count);
                _sleeping.WakeAll();
                return true;
            }
        }

        /// <summary>An item of a batch that waits for the items before it: no item timeout runs for it yet.</summary>
        public void PauseClock(PoolWorkItem item)
        {
            lock (_sync)
            {
                item.StartedTimestamp = long.MaxValue / 4;
            }
        }

        /// <summary>
        /// An item of a batch starts when the one before it ends: its item timeout counts from then, and under a
        /// rate its start does too (the node runs a batch's items one after another).
        /// </summary>
        public void RestartClock(PoolWorkItem item)
        {
            lock (_sync)
            {
                item.StartedTimestamp = Stopwatch.GetTimestamp();
            }

            MarkCodeStarting(item);
        }
    }
}

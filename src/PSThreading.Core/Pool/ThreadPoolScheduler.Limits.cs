using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.RateLimits;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// When an item may start and whether it runs again: a rate of starts (-RateLimit, or a shared
    /// <see cref="ThreadRateLimiter"/>), retries of failed attempts, and a throttle per key. Decided here, where
    /// items are handed out, so every way of running an item (a runspace, a process, a remote session) obeys it.
    /// </summary>
    internal sealed partial class ThreadPoolScheduler
    {
        private ThreadRateLimiter? _rateLimiter;
        private IPoolRetryPolicy? _retryPolicy;
        // One worker at most sleeps until a time (the rate's next permit, a retry falling due); the others sleep
        // until woken, and the timed one wakes the next as it takes an item: no herd woken by every permit.
        private bool _timedWaiter;
        // The timed waiter waits for the rate, not for a retry's time: what progress shows.
        private bool _waitingForRate;
        // Under a rate: the threads that have run an item of this call. A thread's first item counts from its end.
        private HashSet<Threads.WorkerThread>? _warmThreads;

        /// <summary>The rate every start of the call obeys; null for none.</summary>
        public ThreadRateLimiter? RateLimiter => _rateLimiter;

        /// <summary>True when failed attempts may run again: an item's output is then held until it succeeds.</summary>
        public bool HoldsOutputUntilDone => _retryPolicy != null;

        /// <summary>True when items have keys that the per-key throttle counts.</summary>
        public bool IsKeyed => _queued.IsKeyed;

        /// <summary>True while a worker waits for the rate's next permit (or the pause a server asked for).</summary>
        public bool IsWaitingForRate
        {
            get
            {
                lock (_sync)
                {
                    return _waitingForRate && _queued.Count > 0;
                }
            }
        }

        /// <summary>Items waiting to run again after a failed attempt.</summary>
        public int RetryingCount
        {
            get
            {
                lock (_sync)
                {
                    return _queued.Retrying.Count;
                }
            }
        }

        /// <summary>Items waiting only because their key runs as many items as it may.</summary>
        public int KeyBlockedCount
        {
            get
            {
                lock (_sync)
                {
                    return _queued.CountKeyBlocked();
                }
            }
        }

        /// <summary>
        /// Sets the call's limits, before its first item: <paramref name="rateLimiter"/> (null: none),
        /// <paramref name="keyLimit"/> items of one key at once (0: items have no keys), <paramref name="retryPolicy"/>
        /// (null: a failed attempt is the item's end).
        /// </summary>
        public void SetLimits(ThreadRateLimiter? rateLimiter, int keyLimit, IPoolRetryPolicy? retryPolicy)
        {
            lock (_sync)
            {
                if (_added > 0)
                {
                    throw new InvalidOperationException("A pool call's limits are set before its first item.");
                }

                _rateLimiter = rateLimiter;
                _retryPolicy = retryPolicy;
                _queued = new PoolQueue(keyLimit);
            }
        }

        /// <summary>Adds one input item with its per-key throttle key.</summary>
        public PoolWorkItem Add(object? input, string? key)
        {
            lock (_sync)
            {
                PoolWorkItem item = Add(input);
                item.Key = key;
                return item;
            }
        }

        /// <summary>
        /// Under _sync: the item to start now, its rate permit taken; null when none may start yet, with
        /// <paramref name="lookAgainAt"/> the Stopwatch timestamp worth looking again at (long.MaxValue: when woken).
        /// </summary>
        private PoolWorkItem? TakeStartable(out long lookAgainAt)
        {
            long now = Stopwatch.GetTimestamp();
            if (!_queued.TryTake(now, out PoolWorkItem? item, out lookAgainAt))
            {
                _waitingForRate = false;
                return null;
            }

            if (_rateLimiter != null && !_rateLimiter.TryAcquire(out long nextPermit, out item!.RatePermit))
            {
                _queued.PutBack(item!);
                lookAgainAt = nextPermit;
                _waitingForRate = true;
                return null;
            }

            _waitingForRate = false;
            return item;
        }

        /// <summary>
        /// Called by the worker just before the item's code runs: under a rate, the start counts from now, not from
        /// when the worker took the item (on a loaded machine the code may start milliseconds later, and a server
        /// sees the code's requests). Any worker kind calls it; without a rate it costs a field read.
        /// </summary>
        public void MarkCodeStarting(PoolWorkItem item)
        {
            RateLimits.StartEntry? permit = item.RatePermit;
            if (permit != null)
            {
                _rateLimiter?.MarkStarted(permit);
            }
        }

        /// <summary>
        /// Under _sync, as an item starts under a rate: true when its thread runs its first item of the call. Such
        /// an item's start counts from its end (<see cref="CountStartAtEnd"/>): its code pays costs no worker can
        /// time (the block compiled, an API client's first use), measured here at 50-300 ms for a first
        /// Invoke-RestMethod under load, so a server would otherwise see its request in the next window.
        /// </summary>
        private bool IsFirstOnItsThread(PoolWorkItem item)
        {
            if (_rateLimiter == null || item.RunBy == null)
            {
                return false;
            }

            _warmThreads ??= new HashSet<Threads.WorkerThread>();
            if (!_warmThreads.Add(item.RunBy))
            {
                return false;
            }

            if (item.RatePermit != null)
            {
                // Held in the window, however long the item takes, until it ends (an item may outlast the period).
                _rateLimiter.HoldUntilEnded(item.RatePermit);
            }

            return true;
        }

        /// <summary>Under _sync, as an item's attempt ends: a thread's first item counts as started now (see <see cref="IsFirstOnItsThread"/>).</summary>
        private void CountStartAtEnd(PoolWorkItem item)
        {
            if (item.CountsFromEnd && item.RatePermit != null)
            {
                item.CountsFromEnd = false;
                _rateLimiter?.MarkEnded(item.RatePermit);
                if (_queued.Count > 0)
                {
                    // A worker may sleep for a permit this held start kept back, with no time to wake at: all look again.
                    _sleeping.WakeAll();
                }
            }
        }

        /// <summary>Under _sync, as an item starts: another worker takes over the timed wait while items still wait for time.</summary>
        private void PassOnTimedWait()
        {
            if ((_rateLimiter != null || _queued.Retrying.Count > 0) && _queued.Count > 0 && _runningCount < ThrottleLimit)
            {
                _sleeping.WakeOne();
            }
        }

        /// <summary>
        /// Outside _sync, for a failed attempt: whether it runs again. Asked before the lock is taken: the policy
        /// reads the error (and writes the verbose line of the retry).
        /// </summary>
        private RetryDecision? DecideRetry(PoolWorkItem item, object? error)
        {
            if (_retryPolicy == null || _cancelled || _halted || item.State != PoolItemState.Running)
            {
                return null;
            }

            return _retryPolicy.Decide(item, error);
        }

        /// <summary>Under _sync: queues the failed attempt's item to run again. False when it ended meanwhile or the call stops.</summary>
        private bool TryRequeueUnderLock(PoolWorkItem item, object? error, RetryDecision decision)
        {
            if (_cancelled || _halted || !item.TryRequeue(error))
            {
                return false;
            }

            long dueAt = WaitTimeoutDeadline(decision.Delay);
            if (decision.PausesCall)
            {
                _rateLimiter?.Pause(decision.Delay);
            }

            _queued.EnqueueRetry(item, dueAt);
            Volatile.Write(ref _queuedCount, _queued.Count);
            // A worker must be awake to time the retry: the failing worker itself comes back for its next item,
            // but another may be asleep and this one about to end.
            _sleeping.WakeOne();
            return true;
        }

        /// <summary>Under _sync, as a call halts: items waiting to run again fail with their last error, in their places.</summary>
        private void FailRetriesUnderLock()
        {
            foreach (PoolWorkItem item in _queued.Retrying)
            {
                item.FailQueuedRetry();
                Publish(item);
            }
        }

        private static long WaitTimeoutDeadline(TimeSpan delay) => Sync.WaitTimeout.Deadline(delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
    }
}

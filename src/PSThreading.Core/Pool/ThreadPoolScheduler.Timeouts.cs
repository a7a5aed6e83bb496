using System;
using System.Collections.Generic;
using System.Diagnostics;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Pool
{
    /// <summary>The item timeouts of a pool call, and how long items wait for a worker.</summary>
    internal sealed partial class ThreadPoolScheduler
    {
        /// <summary>
        /// Reports every running item older than <paramref name="itemTimeout"/> as timed out and returns them,
        /// so that the caller stops the workers running them. Their slots stay taken until the workers let go.
        /// </summary>
        public IReadOnlyList<PoolWorkItem> TimeOutOverdue(TimeSpan itemTimeout)
        {
            long now = Stopwatch.GetTimestamp();
            long limit = WaitTimeout.ToTicks(itemTimeout);
            List<PoolWorkItem>? overdue = null;
            lock (_sync)
            {
                if (_cancelled)
                {
                    return Array.Empty<PoolWorkItem>();
                }

                foreach (PoolWorkItem item in _running)
                {
                    if (item.State == PoolItemState.Running && now - item.StartedTimestamp >= limit
                        && item.TryEnd(PoolItemState.TimedOut, null, null))
                    {
                        (overdue ??= new List<PoolWorkItem>()).Add(item);
                        Publish(item);
                    }
                }

                if (overdue != null && _haltsOnFailure)
                {
                    HaltUnderLock();
                }
            }

            if (overdue == null)
            {
                return Array.Empty<PoolWorkItem>();
            }

            SetChanged();
            return overdue;
        }

        /// <summary>How long until the oldest running item passes <paramref name="itemTimeout"/>; null when none runs.</summary>
        public TimeSpan? TimeUntilNextItemTimeout(TimeSpan itemTimeout)
        {
            long now = Stopwatch.GetTimestamp();
            long? oldest = null;
            lock (_sync)
            {
                foreach (PoolWorkItem item in _running)
                {
                    if (item.State == PoolItemState.Running && (oldest == null || item.StartedTimestamp < oldest))
                    {
                        oldest = item.StartedTimestamp;
                    }
                }
            }

            if (oldest == null)
            {
                return null;
            }

            TimeSpan left = itemTimeout - WaitTimeout.FromTicks(now - oldest.Value);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        /// <summary>How long the oldest queued item has waited for a worker; zero when none waits.</summary>
        public TimeSpan OldestQueuedWait()
        {
            long queuedAt;
            lock (_sync)
            {
                if (_queued.Count == 0)
                {
                    return TimeSpan.Zero;
                }

                queuedAt = _queued.Peek().QueuedTimestamp;
            }

            return WaitTimeout.FromTicks(Stopwatch.GetTimestamp() - queuedAt);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Threading;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Pool
{
    /// <summary>The writer's side of a pool call: finished items published, taken and waited for.</summary>
    internal sealed partial class ThreadPoolScheduler
    {
        /// <summary>Takes the next result to write, if one is ready (under ordered: the next in input order).</summary>
        public bool TryTakeResult(out PoolWorkItem? item)
        {
            // Checked for every input item: when nothing was published since the last take, skip the lock.
            if (Volatile.Read(ref _finishedCount) == Interlocked.Read(ref _taken))
            {
                item = null;
                return false;
            }

            lock (_sync)
            {
                bool found = _ordered != null ? _ordered.TryTakeNext(out item) : TryDequeue(_finished!, out item);
                if (found)
                {
                    _version++;
                    Interlocked.Increment(ref _taken);
                    if (_ordered != null)
                    {
                        Interlocked.Exchange(ref _nextToWrite, _ordered.NextIndex);
                    }
                }

                return found;
            }
        }

        /// <summary>
        /// Takes every finished result not yet taken, in input order under ordered, including those still
        /// waiting for an earlier item: what a call that stops early writes before it ends.
        /// </summary>
        public IReadOnlyList<PoolWorkItem> TakeFinishedResults() => TakeFinishedResults(out _);

        /// <summary>As <see cref="TakeFinishedResults()"/>, with the items still running taken in the same moment.</summary>
        /// <param name="running">The items running at that moment, in input order: what the call has of them is their streamed output.</param>
        public IReadOnlyList<PoolWorkItem> TakeFinishedResults(out IReadOnlyList<PoolWorkItem> running)
        {
            lock (_sync)
            {
                running = RunningItems();
                List<PoolWorkItem> results;
                if (_ordered != null)
                {
                    results = _ordered.TakeAll();
                }
                else
                {
                    results = new List<PoolWorkItem>(_finished!);
                    _finished!.Clear();
                }

                Interlocked.Add(ref _taken, results.Count);
                _version++;
                return results;
            }
        }

        /// <summary>
        /// What the caller waits for, as the wait-for graph reads it: the threads running items now, and a version
        /// that any start, end or take changes. Free when no item runs (the caller is not held up by its items).
        /// </summary>
        internal LockState ReadItemsState()
        {
            lock (_sync)
            {
                if (_cancelled || _running.Count == 0)
                {
                    return new LockState(Array.Empty<LockHolding>(), hasRoom: true, version: _version);
                }

                var holdings = new List<LockHolding>(_running.Count);
                long now = DateTime.UtcNow.Ticks;
                foreach (PoolWorkItem item in _running)
                {
                    if (item.RunBy != null)
                    {
                        holdings.Add(new LockHolding(item.RunBy, now));
                    }
                }

                return new LockState(holdings, hasRoom: false, version: _version);
            }
        }

        /// <summary>Under _sync: the items running now, in input order.</summary>
        private List<PoolWorkItem> RunningItems()
        {
            var running = new List<PoolWorkItem>(_running.Count);
            foreach (PoolWorkItem item in _running)
            {
                if (item.State == PoolItemState.Running)
                {
                    running.Add(item);
                }
            }

            running.Sort((a, b) => a.Index.CompareTo(b.Index));
            return running;
        }

        /// <summary>
        /// Under ordered: the running item whose earlier items have all been written, whose streamed output may
        /// be written now; null when that item has not started or has finished.
        /// </summary>
        public PoolWorkItem? RunningHead()
        {
            lock (_sync)
            {
                // Under retries an attempt's output waits for its success: nothing streams before (see Limits).
                if (_ordered == null || _retryPolicy != null)
                {
                    return null;
                }

                foreach (PoolWorkItem item in _running)
                {
                    if (item.Index == _ordered.NextIndex && item.State == PoolItemState.Running)
                    {
                        return item;
                    }
                }

                return null;
            }
        }

        /// <summary>Under ordered: true when <paramref name="item"/> is the next to write, so its output may stream.</summary>
        public bool IsNextToWrite(PoolWorkItem item) => item.Index == Interlocked.Read(ref _nextToWrite);

        /// <summary>
        /// Called by a worker that queued output or a record for the writer: wakes the writer unless it polls, which
        /// writes what is there in a batch (a wake-up per object would cost more than tiny items do).
        /// </summary>
        public void NotifyStreamed()
        {
            Volatile.Write(ref _streamPending, 1);
            if (Volatile.Read(ref _writerWantsSignal))
            {
                SetChanged();
            }
        }

        /// <summary>
        /// Called by the writer just before it writes the streamed values: true when a worker streamed since the
        /// last call. Values streamed after it notify again.
        /// </summary>
        public bool TakeStreamPending() => Volatile.Read(ref _streamPending) != 0 && Interlocked.Exchange(ref _streamPending, 0) != 0;

        /// <summary>
        /// Waits until something may have changed for the writer: a result, a worker's end, cancellation.
        /// Bounded by <paramref name="timeout"/>. Returns false when <paramref name="cancellationToken"/> ended the wait.
        /// </summary>
        /// <param name="poll">
        /// True while results stream in fast: the writer sleeps the whole <paramref name="timeout"/> and is not
        /// woken for each result (a wake costs the worker more than a tiny item), then writes them in a batch.
        /// </param>
        public bool WaitForChange(TimeSpan timeout, CancellationToken cancellationToken, bool poll = false)
        {
            // A full fence: a worker that queues a value after this line sees that the writer wants a signal.
            Volatile.Write(ref _writerWantsSignal, !poll);
            Thread.MemoryBarrier();
            if (!poll && (Volatile.Read(ref _finishedCount) != Interlocked.Read(ref _taken) || Volatile.Read(ref _streamPending) != 0))
            {
                // Published or streamed while the writer was polling, without a signal: there may be work already.
                return true;
            }

            try
            {
                bool signalled = _changed.Wait(timeout, cancellationToken);
                _changed.Reset();
                return signalled || !cancellationToken.IsCancellationRequested;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        /// <summary>Wakes the writer, for example when a worker ends.</summary>
        public void Signal() => SetChanged();

        /// <summary>
        /// Under _sync. Returns true when the writer had nothing it could take before this result: only then
        /// is it woken. Waking it for every result of tiny items cost the workers more than the items did.
        /// </summary>
        private bool Publish(PoolWorkItem item)
        {
            if (_ordered != null)
            {
                if (!_ordered.Add(item.Index, item))
                {
                    // Ended after the writer took what had finished and moved past it (a call timing out).
                    return false;
                }

                Interlocked.Increment(ref _finishedCount);
                return item.Index == _ordered.NextIndex && Volatile.Read(ref _writerWantsSignal);
            }

            Interlocked.Increment(ref _finishedCount);
            _finished!.Enqueue(item);
            return _finished.Count == 1 && Volatile.Read(ref _writerWantsSignal);
        }

        private void SetChanged() => _changed.Set();

        private static bool TryDequeue(Queue<PoolWorkItem> queue, out PoolWorkItem? item)
        {
            if (queue.Count > 0)
            {
                item = queue.Dequeue();
                return true;
            }

            item = null;
            return false;
        }
    }
}

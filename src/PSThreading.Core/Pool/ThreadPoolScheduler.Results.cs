using System;
using System.Collections.Generic;
using System.Threading;

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
                    Interlocked.Increment(ref _taken);
                }

                return found;
            }
        }

        /// <summary>
        /// Takes every finished result not yet taken, in input order under ordered, including those still
        /// waiting for an earlier item: what a call that stops early writes before it ends.
        /// </summary>
        public IReadOnlyList<PoolWorkItem> TakeFinishedResults()
        {
            lock (_sync)
            {
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
                return results;
            }
        }

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
            Volatile.Write(ref _writerWantsSignal, !poll);
            if (!poll && Volatile.Read(ref _finishedCount) != Interlocked.Read(ref _taken))
            {
                // Published while the writer was polling, without a signal: there may be work already.
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

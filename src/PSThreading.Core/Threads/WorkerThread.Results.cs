using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// The thread's results: output and records queued in the order written, taken by joins, which listen for
    /// new ones so that they write them while they wait.
    /// </summary>
    public sealed partial class WorkerThread
    {
        private readonly object _listenersSync = new object();
        private ResultArrivals[] _resultListeners = Array.Empty<ResultArrivals>();
        private int _waitedOnCount;
        private object? _offered;

        /// <summary>Queues an object produced by the thread for whoever joins it, and wakes the joins waiting on it.</summary>
        internal void AddResult(object item)
        {
            if (!(_body is IResultHolder holder && holder.TryHold(item)))
            {
                _results.Enqueue(item);
            }

            // Read once: a join may come or go meanwhile; one that comes takes what is queued before it waits.
            ResultArrivals[] listeners = Volatile.Read(ref _resultListeners);
            for (int i = 0; i < listeners.Length; i++)
            {
                // A join may have left and disposed its listener since the read above: Notify is then a no-op.
                listeners[i].Notify();
            }
        }

        /// <summary>
        /// Offers work that any join may take up, not only the first (a prompt): it stays here until done or withdrawn,
        /// so a join that cannot do it (a timed one, one in another worker) leaves it to the next. The thread waits
        /// for it, so nothing is queued after it meanwhile: the joins write what was queued first, then look here.
        /// </summary>
        internal void Offer(object work)
        {
            Volatile.Write(ref _offered, work);
            ResultArrivals[] listeners = Volatile.Read(ref _resultListeners);
            for (int i = 0; i < listeners.Length; i++)
            {
                listeners[i].Notify();
            }
        }

        /// <summary>The work offered now, or null.</summary>
        internal object? Offered => Volatile.Read(ref _offered);

        internal void Withdraw(object work) => Interlocked.CompareExchange(ref _offered, null, work);

        /// <summary>Has <paramref name="listener"/> notified each time a result is queued, until removed.</summary>
        internal void AddResultListener(ResultArrivals listener)
        {
            lock (_listenersSync)
            {
                var grown = new ResultArrivals[_resultListeners.Length + 1];
                _resultListeners.CopyTo(grown, 0);
                grown[grown.Length - 1] = listener;
                Volatile.Write(ref _resultListeners, grown);
            }
        }

        internal void RemoveResultListener(ResultArrivals listener)
        {
            lock (_listenersSync)
            {
                Volatile.Write(ref _resultListeners, _resultListeners.Where(l => l != listener).ToArray());
            }
        }

        /// <summary>True while a Wait-WorkerThread waits on this thread: it will report the thread's failure.</summary>
        internal bool IsWaitedOn => Volatile.Read(ref _waitedOnCount) > 0;

        internal void BeginWaitedOn() => Interlocked.Increment(ref _waitedOnCount);

        internal void EndWaitedOn() => Interlocked.Decrement(ref _waitedOnCount);

        /// <summary>Takes the oldest queued result, if any.</summary>
        internal bool TryTakeResult(out object? item)
        {
            if (TryTakeResultWithoutForgetting(out item))
            {
                return true;
            }

            ForgetIfJoined();
            return false;
        }

        // Held results first: what stays in the queue (a prompt for the joiner) was written after them.
        private bool TryTakeResultWithoutForgetting(out object? item) =>
            (_body is IResultHolder holder && holder.TryTakeHeld(out item)) || _results.TryDequeue(out item);

        /// <summary>Takes every queued result once: a second join gets only what came after.</summary>
        internal object[] TakeResults()
        {
            var taken = new List<object>(PendingResultCount);
            while (TryTakeResultWithoutForgetting(out object? item))
            {
                taken.Add(item!);
            }

            ForgetIfJoined();
            return taken.ToArray();
        }

        /// <summary>An ended thread stays findable by name and id while it holds unread results; joined, it is gone.</summary>
        private void ForgetIfJoined()
        {
            if (!IsAlive && PendingResultCount == 0)
            {
                ThreadRegistry.Unregister(this);
            }
        }
    }
}

using System.Threading;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// One blocked wait: which thread waits for what (a lock or semaphore, or another thread to end), and
    /// whether it has a timeout. A new object per wait, so that seeing the same object twice proves the
    /// thread waited all along in between.
    /// </summary>
    internal sealed class ThreadWait
    {
        private static long s_lastNumber;

        internal ThreadWait(IWaitTarget target, WorkerThread waiter, bool isTimed)
        {
            Target = target;
            Waiter = waiter;
            IsTimed = isTimed;
            Number = Interlocked.Increment(ref s_lastNumber);
        }

        public IWaitTarget Target { get; }

        public WorkerThread Waiter { get; }

        /// <summary>A timed wait ends by itself: deadlock detection never fails it.</summary>
        public bool IsTimed { get; }

        /// <summary>Order of starting to wait: the highest in a cycle is its youngest wait.</summary>
        public long Number { get; }
    }
}

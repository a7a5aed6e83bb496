using System.Threading;

namespace PSThreading.Core
{
    /// <summary>
    /// One blocked acquire: which thread waits for what. A new object per wait, so that seeing the same
    /// object twice proves the thread waited all along in between.
    /// </summary>
    internal sealed class LockWait
    {
        private static long s_lastNumber;

        internal LockWait(SyncPrimitive target, WorkerThread waiter, bool isTimed)
        {
            Target = target;
            Waiter = waiter;
            IsTimed = isTimed;
            Number = Interlocked.Increment(ref s_lastNumber);
        }

        public SyncPrimitive Target { get; }

        public WorkerThread Waiter { get; }

        public bool IsTimed { get; }

        /// <summary>Order of starting to wait: the highest in a cycle is its youngest wait.</summary>
        public long Number { get; }
    }
}

using System;
using System.Globalization;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>One thread's hold on a lock or on one permit of a semaphore, and since when.</summary>
    public sealed class LockHolding
    {
        private readonly long _sinceUtcTicks;

        internal LockHolding(WorkerThread thread, long sinceUtcTicks, string? abandonedBy = null)
        {
            Thread = thread;
            _sinceUtcTicks = sinceUtcTicks;
            AbandonedBy = abandonedBy;
        }

        public WorkerThread Thread { get; }

        /// <summary>
        /// The name of the thread that ended without giving back what this hold took over, or null: what that
        /// thread guarded may be half-updated.
        /// </summary>
        public string? AbandonedBy { get; }

        /// <summary>When the thread took it, local time.</summary>
        public DateTime Since => new DateTime(_sinceUtcTicks, DateTimeKind.Utc).ToLocalTime();

        /// <summary>For messages: <c>thread 'Thread-2' (id 17) since 10:41:07.512</c>.</summary>
        public override string ToString() => string.Format(
            CultureInfo.InvariantCulture, "thread '{0}' (id {1}) since {2:HH:mm:ss.fff}", Thread.Name, Thread.ManagedThreadId, Since);
    }
}

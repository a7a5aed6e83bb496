namespace PSThreading.Core.Sync
{
    /// <summary>The ErrorIds of the toolbox objects' failures, beside those of <see cref="LockErrorId"/>.</summary>
    internal static class SyncErrorId
    {
        public const string QueueEmpty = nameof(QueueEmpty);
        public const string QueueFull = nameof(QueueFull);
        public const string QueueCompleted = nameof(QueueCompleted);
        public const string QueueTaskDoneTooOften = nameof(QueueTaskDoneTooOften);
        public const string BarrierBroken = nameof(BarrierBroken);
        public const string NamedObjectInUse = nameof(NamedObjectInUse);
        public const string NamedObjectNotFound = nameof(NamedObjectNotFound);
        public const string InlineWouldBlock = nameof(InlineWouldBlock);
    }

    /// <summary>A Take that found the queue still empty at its timeout.</summary>
    public sealed class QueueEmptyException : ThreadLockException
    {
        internal QueueEmptyException(ThreadQueue queue, string message)
            : base(SyncErrorId.QueueEmpty, queue, message)
        {
        }
    }

    /// <summary>An Add that found the queue still full at its timeout (the cmdlets; the method returns $false).</summary>
    public sealed class QueueFullException : ThreadLockException
    {
        internal QueueFullException(ThreadQueue queue, string message)
            : base(SyncErrorId.QueueFull, queue, message)
        {
        }
    }

    /// <summary>An Add to a completed queue, or a Take from a completed queue that has nothing left.</summary>
    public sealed class QueueCompletedException : ThreadLockException
    {
        internal QueueCompletedException(ThreadQueue queue, string message)
            : base(SyncErrorId.QueueCompleted, queue, message)
        {
        }
    }

    /// <summary>More TaskDone() calls than items taken.</summary>
    public sealed class QueueTaskDoneTooOftenException : ThreadLockException
    {
        internal QueueTaskDoneTooOftenException(ThreadQueue queue, string message)
            : base(SyncErrorId.QueueTaskDoneTooOften, queue, message)
        {
        }
    }

    /// <summary>A wait on a barrier that is broken, or that broke while waiting.</summary>
    public sealed class BarrierBrokenException : ThreadLockException
    {
        internal BarrierBrokenException(ThreadBarrier barrier, string message)
            : base(SyncErrorId.BarrierBroken, barrier, message)
        {
        }
    }

    /// <summary>Removal of a named object that a thread holds or waits on.</summary>
    public sealed class NamedObjectInUseException : ThreadLockException
    {
        internal NamedObjectInUseException(ISyncObject target, string message)
            : base(SyncErrorId.NamedObjectInUse, target, message)
        {
        }
    }

    /// <summary>Removal of a name that nothing has.</summary>
    public sealed class NamedObjectNotFoundException : ThreadLockException
    {
        internal NamedObjectNotFoundException(string message)
            : base(SyncErrorId.NamedObjectNotFound, null, message)
        {
        }
    }
}

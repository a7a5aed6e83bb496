using System;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// The ErrorIds of lock and semaphore failures. The module writes them as the ErrorRecord's id; the
    /// exception types below carry them, and are named after them because PowerShell uses the exception
    /// type's name as the FullyQualifiedErrorId when a method such as <c>$lock.Release()</c> throws.
    /// </summary>
    internal static class LockErrorId
    {
        public const string LockNotHeld = nameof(LockNotHeld);
        public const string LockNotOwned = nameof(LockNotOwned);
        public const string LockAlreadyHeld = nameof(LockAlreadyHeld);
        public const string InvalidTimeout = nameof(InvalidTimeout);
        public const string SemaphoreOverRelease = nameof(SemaphoreOverRelease);
        public const string LockTimeout = nameof(LockTimeout);
        public const string Deadlock = nameof(Deadlock);
        public const string LockNameConflict = nameof(LockNameConflict);
        public const string MachineLockUnavailable = nameof(MachineLockUnavailable);
        public const string MachineLockFolderUnsafe = nameof(MachineLockFolderUnsafe);
    }

    /// <summary>A lock or semaphore used in a way its semantics forbid. <see cref="ErrorId"/> says which way.</summary>
    public abstract class ThreadLockException : InvalidOperationException
    {
        private protected ThreadLockException(string errorId, object? target, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Target = target;
        }

        public string ErrorId { get; }

        /// <summary>The lock, semaphore or other synchronisation object concerned, when there is one.</summary>
        public object? Target { get; }
    }

    /// <summary>Release of a lock that nobody holds.</summary>
    public sealed class LockNotHeldException : ThreadLockException
    {
        internal LockNotHeldException(SyncPrimitive target, string message)
            : base(LockErrorId.LockNotHeld, target, message)
        {
        }
    }

    /// <summary>Release of a reentrant lock by a thread other than its holder.</summary>
    public sealed class LockNotOwnedException : ThreadLockException
    {
        internal LockNotOwnedException(SyncPrimitive target, string message)
            : base(LockErrorId.LockNotOwned, target, message)
        {
        }
    }

    /// <summary>An untimed acquire of a non-reentrant lock by its own holder: it could only hang.</summary>
    public sealed class LockAlreadyHeldException : ThreadLockException
    {
        internal LockAlreadyHeldException(SyncPrimitive target, string message)
            : base(LockErrorId.LockAlreadyHeld, target, message)
        {
        }
    }

    /// <summary>A negative or NaN timeout.</summary>
    public sealed class InvalidTimeoutException : ThreadLockException
    {
        internal InvalidTimeoutException(string message)
            : base(LockErrorId.InvalidTimeout, null, message)
        {
        }
    }

    /// <summary>Release of a bounded semaphore whose permits are all free already.</summary>
    public sealed class SemaphoreOverReleaseException : ThreadLockException
    {
        internal SemaphoreOverReleaseException(SyncPrimitive target, string message)
            : base(LockErrorId.SemaphoreOverRelease, target, message)
        {
        }
    }

    /// <summary>A wait that had to be had in time and was not.</summary>
    public sealed class LockTimeoutException : ThreadLockException
    {
        internal LockTimeoutException(SyncPrimitive target, TimeSpan waited, string message)
            : base(LockErrorId.LockTimeout, target, message)
        {
            Waited = waited;
        }

        public TimeSpan Waited { get; }
    }

    /// <summary>A name asked for again with another kind, reentrancy or count than it was created with.</summary>
    public sealed class LockNameConflictException : ThreadLockException
    {
        internal LockNameConflictException(ISyncObject existing, string message)
            : base(LockErrorId.LockNameConflict, existing, message)
        {
        }
    }

    /// <summary>The operating system refused the file of a machine lock (no room, too many open files, no temporary folder).</summary>
    public sealed class MachineLockUnavailableException : ThreadLockException
    {
        internal MachineLockUnavailableException(string message, Exception inner)
            : base(LockErrorId.MachineLockUnavailable, null, message, inner)
        {
        }
    }

    /// <summary>
    /// The folder or a file of machine locks is one that another user owns, may write, or planted (a link, a FIFO,
    /// a device): the lock is refused rather than written through it or believed.
    /// </summary>
    public sealed class MachineLockFolderUnsafeException : ThreadLockException
    {
        internal MachineLockFolderUnsafeException(string path, string message)
            : base(LockErrorId.MachineLockFolderUnsafe, null, message)
        {
            Path = path;
        }

        /// <summary>The folder or file refused.</summary>
        public string Path { get; }
    }
}

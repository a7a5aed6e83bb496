using System;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// The file that is a machine lock: whoever has it locked holds the lock, across every process of the user,
    /// and it carries the holder's record (see <see cref="MachineLockHolder"/>). The operating system drops the
    /// lock when its process ends, however it ends, and a record still marked held then tells the next taker
    /// that the lock was abandoned and by whom. A file is open only while its lock is held, and is removed at a
    /// clean release, so that a long run of distinct names keeps no descriptor and leaves no file behind.
    /// </summary>
    internal abstract class MachineLockFile
    {
        /// <summary>The most of a record that is read: records are this size, and a bigger file is not ours.</summary>
        public const int MaxRecordSize = 4096;

        /// <summary>The file at <paramref name="path"/>, locked, made if missing; null when another holder has it locked.</summary>
        public static MachineLockFile? TryLock(string path) =>
            MachineLockFolder.IsWindows ? WindowsLockFile.TryLockAt(path) : UnixLockFile.TryLockAt(path);

        /// <summary>
        /// The record in the file at <paramref name="path"/>, read without taking the lock (for a waiter that wants to
        /// name the holder); null when there is none, or none to believe.
        /// </summary>
        public static byte[]? ReadUnlocked(string path) =>
            MachineLockFolder.IsWindows ? WindowsLockFile.ReadUnlockedAt(path) : UnixLockFile.ReadUnlockedAt(path);

        /// <summary>The record the last holder left, at most <see cref="MaxRecordSize"/> bytes.</summary>
        public abstract byte[] Read();

        /// <summary>Writes <paramref name="record"/> over the start of the file.</summary>
        public abstract void Write(byte[] record);

        /// <summary>Unlocks and closes, keeping the record: for a holder that ended without releasing.</summary>
        public abstract void Unlock();

        /// <summary>A clean release: removes the file (while still holding it, where the system allows), then unlocks.</summary>
        public abstract void RemoveAndUnlock();
    }
}

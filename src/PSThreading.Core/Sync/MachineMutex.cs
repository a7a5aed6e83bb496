using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// What holds a machine lock (<c>New-ThreadLock -Scope Machine</c>) across the processes of the user: a
    /// locked file in the user's own folder (see <see cref="MachineLockFile"/> and <see cref="MachineLockFolder"/>),
    /// not a named mutex, since .NET keeps those on Linux and macOS in the shared temporary folder where another
    /// user can open them by name. One per lock name in the process, however many lock objects use the name:
    /// the process holds the file once, and it is open only while held.
    /// </summary>
    internal sealed class MachineMutex
    {
        // The lock's name as the operating system sees it. The prefix stays that of the named mutex it once was
        // (scripts may show it); the file is named after what follows.
        private const string Prefix = @"Global\PSThreading-";
        private const int ReadablePartLength = 40;

        private static readonly Dictionary<string, MachineMutex> s_byName = new Dictionary<string, MachineMutex>(StringComparer.Ordinal);

        private readonly object _sync = new object();
        private readonly string _fileName;
        private MachineLockFile? _held;

        private MachineMutex(string mutexName)
        {
            MutexName = mutexName;
            _fileName = mutexName.Substring(Prefix.Length - "PSThreading-".Length) + ".holder";
        }

        /// <summary>The operating system's name of the lock: always legal, whatever the lock's name holds.</summary>
        public string MutexName { get; }

        /// <summary>The mutex for the lock name <paramref name="lockName"/>, shared by every lock object of that name.</summary>
        public static MachineMutex ForLockName(string lockName)
        {
            string mutexName = MutexNameFor(lockName);
            lock (s_byName)
            {
                if (!s_byName.TryGetValue(mutexName, out MachineMutex? found))
                {
                    found = new MachineMutex(mutexName);
                    s_byName.Add(mutexName, found);
                }

                return found;
            }
        }

        /// <summary>
        /// A name for a lock name, the same in every process of the user: the lock name lower-cased (lock names
        /// ignore case), with every character other than a letter, a digit, '-', '_' or '.' shown as '_' and cut
        /// to 40 characters, then a hash of the user and the whole lock name, which keeps apart names that read
        /// alike ('a/b', 'a_b'). It makes a legal file name of bounded length.
        /// </summary>
        internal static string MutexNameFor(string lockName)
        {
            string lowered = lockName.ToLowerInvariant();
            string readable = Readable(lowered);
            if (readable.Length > ReadablePartLength)
            {
                readable = readable.Substring(0, ReadablePartLength);
            }

            byte[] hash;
            using (SHA256 sha = SHA256.Create())
            {
                hash = sha.ComputeHash(Encoding.UTF8.GetBytes(MachineLockFolder.UserName.ToLowerInvariant() + "\n" + lowered));
            }

            var hex = new StringBuilder(32);
            for (int i = 0; i < 16; i++)
            {
                hex.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return Prefix + readable + "-" + hex;
        }

        /// <summary>
        /// Takes the lock if no other process holds it (does not wait). On success says whether the last holder
        /// ended without releasing it (its record is still in the file), and who that was. The folder and the file
        /// are checked on every take: MachineLockFolderUnsafe when another user could have planted or read them.
        /// </summary>
        public bool TryTake(out bool abandoned, out MachineLockHolder? lastHolder)
        {
            abandoned = false;
            lastHolder = null;
            lock (_sync)
            {
                if (_held != null)
                {
                    return false;
                }

                MachineLockFile? file;
                try
                {
                    file = MachineLockFile.TryLock(Path.Combine(MachineLockFolder.EnsureSafe(), _fileName));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    // Whatever else the system refuses (no descriptor left, say) is a normal error, never a crash.
                    throw new MachineLockUnavailableException(
                        $"Cannot take the machine lock '{MutexName}' in '{MachineLockFolder.PathOfFolder}': {ex.Message}", ex);
                }

                if (file == null)
                {
                    return false;
                }

                try
                {
                    lastHolder = MachineLockHolder.Parse(file.Read());
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    // Only information: the lock is taken all the same.
                }

                _held = file;
                abandoned = lastHolder != null;
                return true;
            }
        }

        /// <summary>After a take: writes who holds it now, for those who wait or time out. Best effort.</summary>
        public void WriteHolder(MachineLockHolder holder)
        {
            lock (_sync)
            {
                try
                {
                    _held?.Write(holder.ToRecord());
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    // Only information: the lock works without it, and a timeout then says the holder is unknown.
                }
            }
        }

        /// <summary>The holder another process wrote, or null when none did (or this process holds it).</summary>
        public MachineLockHolder? ReadHolder()
        {
            lock (_sync)
            {
                if (_held != null)
                {
                    return null;
                }
            }

            return MachineLockHolder.Parse(MachineLockFile.ReadUnlocked(Path.Combine(MachineLockFolder.PathOfFolder, _fileName)));
        }

        /// <summary>
        /// A clean release removes the file and its record, then unlocks. For a holder that ended without releasing
        /// (<paramref name="abandoned"/>), keeps the record, which tells the next taker, in whichever process, that
        /// the lock was abandoned and by whom.
        /// </summary>
        public void Release(bool abandoned = false)
        {
            lock (_sync)
            {
                MachineLockFile? held = _held;
                _held = null;
                if (held == null)
                {
                    return;
                }

                if (abandoned)
                {
                    held.Unlock();
                }
                else
                {
                    held.RemoveAndUnlock();
                }
            }
        }

        internal static string Readable(string text)
        {
            var readable = new StringBuilder(text.Length);
            foreach (char c in text)
            {
                readable.Append(char.IsLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' ? c : '_');
            }

            return readable.ToString();
        }
    }
}

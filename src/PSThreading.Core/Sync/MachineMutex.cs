using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// The named mutex behind a machine lock (<c>New-ThreadLock -Scope Machine</c>), and the holder file beside
    /// it (see <see cref="MachineLockHolder"/>). One per lock name in the process, however many lock objects
    /// use the name, so that the process takes the mutex once: a mutex may be taken again by its own thread.
    /// </summary>
    internal sealed class MachineMutex
    {
        // Global\: on Windows one namespace for every session of the machine (a scheduled task and a logged-on
        // run see the same mutex); the user's name in the mutex name keeps users apart.
        private const string Prefix = @"Global\PSThreading-";
        private const int ReadablePartLength = 40;

        private static readonly Dictionary<string, MachineMutex> s_byName = new Dictionary<string, MachineMutex>(StringComparer.Ordinal);

        private readonly object _sync = new object();
        private readonly Mutex _mutex;
        private readonly string _holderPath;
        private bool _taken;

        private MachineMutex(string mutexName)
        {
            MutexName = mutexName;
            try
            {
                _mutex = MutexThread.Run(() => new Mutex(false, mutexName));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is WaitHandleCannotBeOpenedException)
            {
                throw new MachineLockUnavailableException(
                    $"Cannot open the mutex '{mutexName}' of a machine lock: {ex.Message} " +
                    "Another user's object may have that name, or the temporary folder may be full or read-only.", ex);
            }

            _holderPath = Path.Combine(HolderFolder, mutexName.Substring(mutexName.IndexOf('\\') + 1) + ".holder");
        }

        /// <summary>The operating system's name of the mutex: always legal, whatever the lock's name holds.</summary>
        public string MutexName { get; }

        /// <summary>Where holders write who they are: a folder per user under the temporary folder.</summary>
        internal static string HolderFolder { get; } = Path.Combine(Path.GetTempPath(), "PSThreading-locks-" + Readable(Environment.UserName));

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
        /// A mutex name for a lock name, the same in every process of the user: the lock name lower-cased (lock
        /// names ignore case, mutex names do not), with every character other than a letter, a digit, '-', '_'
        /// or '.' shown as '_' and cut to 40 characters, then a hash of the user and the whole lock name, which
        /// keeps apart names that read alike ('a/b', 'a_b'). A mutex name cannot hold '\' after its prefix, and
        /// on Linux and macOS not '/' either, and is limited in length.
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
                hash = sha.ComputeHash(Encoding.UTF8.GetBytes(Environment.UserName.ToLowerInvariant() + "\n" + lowered));
            }

            var hex = new StringBuilder(32);
            for (int i = 0; i < 16; i++)
            {
                hex.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return Prefix + readable + "-" + hex;
        }

        /// <summary>
        /// Takes the mutex if no other process holds it (does not wait). On success says whether the last holder
        /// ended without releasing it, and who that was if its holder file tells: a process that died holding
        /// the mutex abandons it (AbandonedMutexException, when another process had it open), and a holder record
        /// still marked held says the same even when the mutex itself could not (on Linux a mutex that nobody
        /// else had open is made afresh).
        /// </summary>
        public bool TryTake(out bool abandoned, out MachineLockHolder? lastHolder)
        {
            lock (_sync)
            {
                return TryTakeOnce(out abandoned, out lastHolder);
            }
        }

        /// <summary>
        /// Marks the holder file free, then releases the mutex: the next holder never sees a record of ours as
        /// held. For a holder that ended without releasing (<paramref name="abandoned"/>), leaves it held, which
        /// tells the next taker, in whichever process, that the lock was abandoned and by whom.
        /// </summary>
        public void Release(bool abandoned = false)
        {
            lock (_sync)
            {
                ReleaseOnce(abandoned);
            }
        }

        private bool TryTakeOnce(out bool abandoned, out MachineLockHolder? lastHolder)
        {
            abandoned = false;
            lastHolder = null;
            if (_taken)
            {
                return false;
            }

            bool wasAbandoned = false;
            bool taken = MutexThread.Run(() =>
            {
                try
                {
                    return _mutex.WaitOne(0);
                }
                catch (AbandonedMutexException)
                {
                    wasAbandoned = true;
                    return true;
                }
            });
            if (!taken)
            {
                return false;
            }

            _taken = true;
            lastHolder = MachineLockHolder.ReadFrom(_holderPath);
            abandoned = wasAbandoned || lastHolder != null;
            return true;
        }

        /// <summary>After a take: writes who holds it now, for those who wait or time out. Best effort.</summary>
        public void WriteHolder(MachineLockHolder holder)
        {
            try
            {
                holder.WriteTo(_holderPath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Only information: the lock works without it, and a timeout then says the holder is unknown.
            }
        }

        /// <summary>The holder another process wrote, or null when none did (or this process holds it).</summary>
        public MachineLockHolder? ReadHolder() => _taken ? null : MachineLockHolder.ReadFrom(_holderPath);

        private void ReleaseOnce(bool abandoned)
        {
            if (!_taken)
            {
                return;
            }

            try
            {
                if (!abandoned && File.Exists(_holderPath))
                {
                    MachineLockHolder.MarkFree(_holderPath);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // The next taker would report this lock abandoned; better than keeping the mutex.
            }

            _taken = false;
            MutexThread.Run(() =>
            {
                _mutex.ReleaseMutex();
                return true;
            });
        }

        private static string Readable(string text)
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

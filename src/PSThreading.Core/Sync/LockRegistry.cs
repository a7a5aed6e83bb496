using System;
using System.Collections.Generic;
using System.Linq;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Named locks and semaphores, process-wide: the same name gives the same object in every runspace and
    /// thread, so that workers find a lock without being handed it. Names are case-insensitive, as in PowerShell.
    /// </summary>
    internal static class LockRegistry
    {
        private static readonly object s_sync = new object();
        private static readonly Dictionary<string, SyncPrimitive> s_named = new Dictionary<string, SyncPrimitive>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The lock of that name, made now if there is none. A semaphore or a lock of the other reentrancy is an error.</summary>
        public static ThreadLock GetOrCreateLock(string name, bool reentrant)
        {
            SyncPrimitive found = GetOrCreate(name, () => new ThreadLock(name, reentrant));
            if (found is ThreadLock threadLock && threadLock.IsReentrant == reentrant)
            {
                return threadLock;
            }

            throw Conflict(found, reentrant ? "an RLock (-Reentrant)" : "a Lock");
        }

        /// <summary>The semaphore of that name, made now if there is none. A lock, or another count, is an error.</summary>
        public static ThreadSemaphore GetOrCreateSemaphore(string name, int count)
        {
            SyncPrimitive found = GetOrCreate(name, () => new ThreadSemaphore(count, name));
            if (found is ThreadSemaphore semaphore && semaphore.Count == count)
            {
                return semaphore;
            }

            throw Conflict(found, $"a Semaphore of count {count}");
        }

        /// <summary>The lock or semaphore of that name, or null.</summary>
        public static SyncPrimitive? Find(string name)
        {
            lock (s_sync)
            {
                return s_named.TryGetValue(name, out SyncPrimitive? found) ? found : null;
            }
        }

        /// <summary>Every named lock and semaphore, by name.</summary>
        public static IReadOnlyList<SyncPrimitive> Named()
        {
            lock (s_sync)
            {
                return s_named.Values.OrderBy(primitive => primitive.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }

        private static SyncPrimitive GetOrCreate(string name, Func<SyncPrimitive> create)
        {
            lock (s_sync)
            {
                if (!s_named.TryGetValue(name, out SyncPrimitive? found))
                {
                    found = create();
                    s_named.Add(name, found);
                }

                return found;
            }
        }

        private static LockNameConflictException Conflict(SyncPrimitive existing, string asked)
        {
            string what = existing switch
            {
                ThreadSemaphore semaphore => $"a Semaphore of count {semaphore.Count}",
                ThreadLock { IsReentrant: true } => "an RLock (-Reentrant)",
                _ => "a Lock",
            };
            return new LockNameConflictException(existing,
                $"The name '{existing.Name}' is already taken by {what}, so it cannot also be {asked}. " +
                "Ask for it as it was first made, or choose another name.");
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Named locks, semaphores and the other synchronisation objects, process-wide: the same name gives the same
    /// object in every runspace and thread, so that workers find it without being handed it. One namespace for
    /// every kind. Names are case-insensitive, as in PowerShell.
    /// </summary>
    internal static class LockRegistry
    {
        private static readonly object s_sync = new object();
        private static readonly Dictionary<string, ISyncObject> s_named = new Dictionary<string, ISyncObject>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// The lock of that name, made now if there is none. A semaphore, or a lock of the other reentrancy or
        /// scope, is an error.
        /// </summary>
        public static ThreadLock GetOrCreateLock(string name, bool reentrant, LockScope scope = LockScope.Process)
        {
            ISyncObject found = GetOrCreate(name, () => new ThreadLock(name, reentrant, scope));
            if (found is ThreadLock threadLock && threadLock.IsReentrant == reentrant && threadLock.Scope == scope)
            {
                return threadLock;
            }

            throw Conflict(found, DescribeLock(reentrant, scope));
        }

        private static string DescribeLock(bool reentrant, LockScope scope) =>
            (reentrant ? "an RLock (-Reentrant)" : "a Lock") + (scope == LockScope.Machine ? " held across processes (-Scope Machine)" : "");

        /// <summary>The semaphore of that name, made now if there is none. A lock, or another count, is an error.</summary>
        public static ThreadSemaphore GetOrCreateSemaphore(string name, int count, bool bounded = true)
        {
            ISyncObject found = GetOrCreate(name, () => new ThreadSemaphore(count, name, bounded));
            if (found is ThreadSemaphore semaphore && semaphore.Count == count && semaphore.IsBounded == bounded)
            {
                return semaphore;
            }

            throw Conflict(found, $"a{(bounded ? "" : "n unbounded")} Semaphore of count {count}");
        }

        /// <summary>The lock or semaphore of that name, or null.</summary>
        public static SyncPrimitive? Find(string name)
        {
            lock (s_sync)
            {
                return s_named.TryGetValue(name, out ISyncObject? found) ? found as SyncPrimitive : null;
            }
        }

        /// <summary>Every named lock and semaphore, by name.</summary>
        public static IReadOnlyList<SyncPrimitive> Named()
        {
            lock (s_sync)
            {
                return s_named.Values.OfType<SyncPrimitive>().OrderBy(primitive => primitive.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }

        /// <summary>
        /// The object of that name if it is a <typeparamref name="T"/> that <paramref name="fits"/>, made with
        /// <paramref name="create"/> if the name is free; else LockNameConflict, saying what has the name and
        /// <paramref name="asked"/>.
        /// </summary>
        public static T GetOrCreate<T>(string name, Func<T> create, Func<T, bool> fits, string asked)
            where T : class, ISyncObject
        {
            ISyncObject found = GetOrCreate(name, () => create());
            if (found is T wanted && fits(wanted))
            {
                return wanted;
            }

            throw Conflict(found, asked);
        }

        /// <summary>The named object of any kind, or null.</summary>
        public static ISyncObject? FindAny(string name)
        {
            lock (s_sync)
            {
                return s_named.TryGetValue(name, out ISyncObject? found) ? found : null;
            }
        }

        /// <summary>
        /// Drops the name, when <paramref name="inUse"/>, asked under the registry's lock, finds the object
        /// neither held nor waited on. The object itself goes on working for whoever still has it; the name
        /// then gives a new object. Null when nothing has the name.
        /// </summary>
        public static ISyncObject? Remove(string name, Func<ISyncObject, string?> inUse)
        {
            lock (s_sync)
            {
                if (!s_named.TryGetValue(name, out ISyncObject? found))
                {
                    return null;
                }

                string? why = inUse(found);
                if (why != null)
                {
                    throw new NamedObjectInUseException(found,
                        $"Cannot remove {found.Kind} '{found.Name}': {why}. Remove it once nobody holds it or waits on it.");
                }

                s_named.Remove(name);
                return found;
            }
        }

        private static ISyncObject GetOrCreate(string name, Func<ISyncObject> create)
        {
            lock (s_sync)
            {
                if (!s_named.TryGetValue(name, out ISyncObject? found))
                {
                    found = create();
                    s_named.Add(name, found);
                }

                return found;
            }
        }

        private static LockNameConflictException Conflict(ISyncObject existing, string asked)
        {
            string what = existing switch
            {
                ThreadSemaphore semaphore => $"a{(semaphore.IsBounded ? "" : "n unbounded")} Semaphore of count {semaphore.Count}",
                ThreadLock threadLock => DescribeLock(threadLock.IsReentrant, threadLock.Scope),
                ThreadQueue queue => $"a Queue of capacity {queue.Capacity}",
                ThreadBarrier barrier => $"a Barrier of {barrier.Parties} parties",
                _ => (existing.Kind.StartsWith("E", StringComparison.Ordinal) ? "an " : "a ") + existing.Kind,
            };
            return new LockNameConflictException(existing,
                $"The name '{existing.Name}' is already taken by {what}, so it cannot also be {asked}. " +
                "Ask for it as it was first made, or choose another name.");
        }
    }
}

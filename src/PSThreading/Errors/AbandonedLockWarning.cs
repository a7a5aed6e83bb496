using System;
using PSThreading.Core.Sync;

namespace PSThreading.Errors
{
    /// <summary>What a thread is told when it takes over a lock whose holder ended without releasing it.</summary>
    internal static class AbandonedLockWarning
    {
        public static string Message(SyncPrimitive target, string abandonedBy)
        {
            string who = target is ThreadLock { Scope: LockScope.Machine } && abandonedBy.StartsWith("process ", StringComparison.Ordinal)
                ? abandonedBy + " ended (the process died or was killed)"
                : $"thread '{abandonedBy}' ended (failed or stopped)";
            return $"{target.Kind} '{target.Name}' was abandoned: {who} while holding it. " +
                "What it guards may be half-updated; check it before going on.";
        }
    }
}

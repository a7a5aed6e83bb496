using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Reflection;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Engine
{
    /// <summary>
    /// What the exit rule needs from the engine's own list of runspaces, which PowerShell does not make public.
    /// When PowerShell 7 closes its primary runspace (the console's) it disposes every other open runspace in that
    /// list, and each disposal waits for the runspace's running pipeline: a daemon worker inside a long .NET call
    /// would hold the exit for as long as that call runs. Each member falls back to doing nothing where the engine
    /// has no such member (Windows PowerShell, which does not dispose other runspaces at exit).
    /// </summary>
    internal static class EngineRunspaces
    {
        private const BindingFlags StaticNonPublic = BindingFlags.NonPublic | BindingFlags.Static;

        private static readonly PropertyInfo? s_primaryRunspace = typeof(Runspace).GetProperty("PrimaryRunspace", StaticNonPublic);
        private static readonly FieldInfo? s_runspaceDictionary = typeof(Runspace).GetField("s_runspaceDictionary", StaticNonPublic);
        private static readonly FieldInfo? s_runspaceListLock = typeof(Runspace).GetField("s_syncObject", StaticNonPublic);

        /// <summary>
        /// The runspace whose closing means the process exits: the console's. Null in a host that has none, or
        /// when the engine does not say (then only the console host's own interactive runspace is taken for it).
        /// </summary>
        public static Runspace? Primary(PSHost? host)
        {
            if (s_primaryRunspace != null)
            {
                return s_primaryRunspace.GetValue(null) as Runspace;
            }

            // IHostSupportsInteractiveSession.Runspace is the console's runspace, unless Enter-PSSession pushed another.
            if (host is IHostSupportsInteractiveSession interactive && !interactive.IsRunspacePushed
                && string.Equals(host.Name, "ConsoleHost", StringComparison.Ordinal))
            {
                return interactive.Runspace;
            }

            return null;
        }

        /// <summary>
        /// Takes the runspaces <paramref name="isDropped"/> picks out of the engine's list, so that closing the
        /// primary runspace neither disposes nor waits for them; they end with the process. Returns how many.
        /// </summary>
        public static int Drop(Func<Guid, bool> isDropped)
        {
            if (!(s_runspaceDictionary?.GetValue(null) is IDictionary runspaces) || s_runspaceListLock?.GetValue(null) is not object listLock)
            {
                return 0;
            }

            lock (listLock)
            {
                var dropped = new List<object>();
                foreach (DictionaryEntry entry in runspaces)
                {
                    if (entry.Value is WeakReference<Runspace> reference && reference.TryGetTarget(out Runspace? runspace)
                        && isDropped(runspace.InstanceId))
                    {
                        dropped.Add(entry.Key);
                    }
                }

                foreach (object key in dropped)
                {
                    runspaces.Remove(key);
                }

                return dropped.Count;
            }
        }
    }
}

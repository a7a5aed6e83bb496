using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// The engine's own list of runspaces, which PowerShell does not make public. When PowerShell 7 closes its
    /// primary runspace (the console's) it disposes every other open runspace in that list, and each disposal waits
    /// for the runspace's running pipeline: a daemon worker inside a long .NET call would hold the exit for as long
    /// as that call runs. Windows PowerShell does not dispose other runspaces at exit: there it is not needed.
    /// </summary>
    internal static class EngineRunspaceList
    {
        public const string Name = "EngineRunspaceList";

        private const BindingFlags StaticNonPublic = BindingFlags.NonPublic | BindingFlags.Static;

        private static readonly FieldInfo? s_runspaceDictionary;
        private static readonly FieldInfo? s_runspaceListLock;

        static EngineRunspaceList()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return;
            }

            try
            {
                FieldInfo? list = typeof(Runspace).GetField("s_runspaceDictionary", StaticNonPublic);
                FieldInfo? listLock = typeof(Runspace).GetField("s_syncObject", StaticNonPublic);
                if (list != null && typeof(IDictionary).IsAssignableFrom(list.FieldType) && listLock != null)
                {
                    s_runspaceDictionary = list;
                    s_runspaceListLock = listLock;
                }
            }
            catch (Exception)
            {
                // Not there in this form: the exit may wait for daemons.
            }
        }

        public static bool IsAvailable => s_runspaceDictionary != null;

        public static bool IsNeeded => typeof(PSObject).Assembly.GetName().Version.Major >= 6;

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

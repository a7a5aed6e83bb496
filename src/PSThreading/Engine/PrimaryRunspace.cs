using System;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// The runspace whose closing means the process exits (the console's), as the engine itself records it in the
    /// internal Runspace.PrimaryRunspace.
    /// </summary>
    internal static class PrimaryRunspace
    {
        public const string Name = "PrimaryRunspace";

        private static readonly PropertyInfo? s_primaryRunspace = Find();

        public static bool IsAvailable => s_primaryRunspace != null;

        /// <summary>False when the engine cannot say; otherwise <paramref name="primary"/> is its primary runspace, or null when it has none.</summary>
        public static bool TryGet(out Runspace? primary)
        {
            primary = null;
            if (s_primaryRunspace == null)
            {
                return false;
            }

            primary = s_primaryRunspace.GetValue(null) as Runspace;
            return true;
        }

        private static PropertyInfo? Find()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

            try
            {
                PropertyInfo? property = typeof(Runspace).GetProperty("PrimaryRunspace", BindingFlags.NonPublic | BindingFlags.Static);
                return property != null && typeof(Runspace).IsAssignableFrom(property.PropertyType) ? property : null;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}

using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSThreading.Engine
{
    /// <summary>
    /// On Linux and macOS, PowerShell marks the file-system drive "/" as auto-mounted, and checks that such a drive
    /// still exists (reading the mount table) on every path lookup: about 0.9 ms of the 1.7 ms ResetRunspaceState
    /// takes to clean a worker runspace, and half the cost of a Set-Location. The root of the file system cannot
    /// go away, so in worker runspaces that drive is marked as not auto-mounted (PSDriveInfo.IsAutoMounted).
    /// Where the member is laid out otherwise, the check stays: only slower.
    /// </summary>
    internal static class RootDriveCheck
    {
        public const string Name = "RootDriveCheck";

        private static readonly PropertyInfo? s_isAutoMounted = Find();

        public static bool IsAvailable => s_isAutoMounted != null;

        /// <summary>Where the check runs at all: only Windows has no "/" drive.</summary>
        public static bool IsNeeded => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Spares <paramref name="runspace"/>'s "/" drive the existence check; false when nothing was changed.</summary>
        public static bool TrySkipFor(Runspace runspace)
        {
            if (s_isAutoMounted == null || !IsNeeded)
            {
                return false;
            }

            try
            {
                foreach (PSDriveInfo drive in runspace.SessionStateProxy.Drive.GetAllForProvider("FileSystem"))
                {
                    if (string.Equals(drive.Root, "/", StringComparison.Ordinal) && s_isAutoMounted.GetValue(drive) is true)
                    {
                        s_isAutoMounted.SetValue(drive, false);
                        return true;
                    }
                }
            }
            catch (Exception)
            {
                // A drive table of another shape: the runspace keeps PowerShell's check, and works as before.
            }

            return false;
        }

        private static PropertyInfo? Find()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

            try
            {
                PropertyInfo? property = typeof(PSDriveInfo).GetProperty("IsAutoMounted", BindingFlags.NonPublic | BindingFlags.Instance);
                return property != null && property.PropertyType == typeof(bool) && property.CanRead && property.CanWrite ? property : null;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}

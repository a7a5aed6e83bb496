using System;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSThreading.Engine
{
    /// <summary>What the system lockdown policy (WDAC or AppLocker) says for the workers' language mode.</summary>
    internal enum LockdownState
    {
        NotEnforced,
        Enforced,
        Unreadable,
    }

    /// <summary>
    /// Windows' system lockdown policy, read once through SystemPolicy.GetSystemLockdownPolicy: public in
    /// PowerShell 7 but not in PowerShellStandard, so reached by name. Off Windows there is no such policy.
    /// </summary>
    internal static class LockdownPolicy
    {
        public const string Name = "LockdownPolicy";

        private static readonly Lazy<string?> s_mode = new Lazy<string?>(ReadMode);

        /// <summary>True when the policy can be read here (off Windows too, where it says None).</summary>
        public static bool IsAvailable => s_mode.Value != null;

        /// <summary>True on Windows; also where the test override turns it off, which stands for a Windows that cannot read it.</summary>
        public static bool IsNeeded => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || CapabilityOverride.IsDisabled(Name);

        public static LockdownState State
        {
            get
            {
                if (!IsNeeded)
                {
                    return LockdownState.NotEnforced;
                }

                string? mode = s_mode.Value;
                if (mode == null)
                {
                    return LockdownState.Unreadable;
                }

                return string.Equals(mode, "Enforce", StringComparison.Ordinal) ? LockdownState.Enforced : LockdownState.NotEnforced;
            }
        }

        private static string? ReadMode()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

            try
            {
                Type? policy = typeof(PSObject).Assembly.GetType("System.Management.Automation.Security.SystemPolicy");
                MethodInfo? get = policy?.GetMethod("GetSystemLockdownPolicy", BindingFlags.Public | BindingFlags.Static, null, Type.EmptyTypes, null);
                object? mode = get?.Invoke(null, null);
                return mode != null && mode.GetType().IsEnum ? mode.ToString() : null;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}

using System;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Engine
{
    /// <summary>
    /// The language mode a worker runs in: the caller's, and ConstrainedLanguage whenever Windows enforces a
    /// system lockdown policy (WDAC or AppLocker), as ThreadJob and ForEach-Object -Parallel do. A new runspace
    /// is FullLanguage unless told otherwise, so without this a constrained caller got FullLanguage workers.
    /// </summary>
    internal static class LanguageModePolicy
    {
        private static readonly Lazy<bool> s_lockdownEnforced = new Lazy<bool>(IsLockdownEnforced);

        public static PSLanguageMode ForWorkersOf(PSLanguageMode callerMode)
        {
            if (callerMode == PSLanguageMode.FullLanguage && s_lockdownEnforced.Value)
            {
                return PSLanguageMode.ConstrainedLanguage;
            }

            return callerMode;
        }

        // SystemPolicy is not in PowerShellStandard: reached by reflection. Untested here (no Windows policy).
        private static bool IsLockdownEnforced()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return false;
            }

            try
            {
                Type? policy = typeof(PSObject).Assembly.GetType("System.Management.Automation.Security.SystemPolicy");
                MethodInfo? get = policy?.GetMethod("GetSystemLockdownPolicy", BindingFlags.Public | BindingFlags.Static, null, Type.EmptyTypes, null);
                object? mode = get?.Invoke(null, null);
                return mode != null && string.Equals(mode.ToString(), "Enforce", StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is TargetInvocationException || ex is MemberAccessException)
            {
                // The policy cannot be read: the caller's own mode still applies.
                return false;
            }
        }
    }
}

using System.Management.Automation;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// The -Verbose and -Debug switches of the engine's command runtime, turned on for one record: a record a thread
    /// already let through is written by the forwarding command even where its own preference would drop it. Both
    /// the value and its "given" flag must be writable; Windows PowerShell 5.1's IsVerboseFlagSet has no setter.
    /// </summary>
    internal static class VerboseSwitch
    {
        public const string Name = "VerboseSwitch";

        private static readonly FlagPair? s_verbose = FlagPair.Find("Verbose");

        // 5.1's -Debug means Inquire: forcing it there would stop at each line to ask, so it is never forced there.
        private static readonly FlagPair? s_debug = typeof(PSObject).Assembly.GetName().Version.Major >= 6 ? FlagPair.Find("Debug") : null;

        public static bool IsAvailable { get; } = s_verbose != null && (s_debug != null || typeof(PSObject).Assembly.GetName().Version.Major < 6);

        public static bool CanForceDebug => s_debug != null;

        /// <summary>Turns -Verbose on as if given; returns what <see cref="RestoreVerbose"/> needs, null when nothing was changed.</summary>
        public static bool? ForceVerbose(object runtime) => s_verbose?.Force(runtime);

        public static void RestoreVerbose(object runtime, bool? forced) => s_verbose?.Restore(runtime, forced);

        public static bool? ForceDebug(object runtime) => s_debug?.Force(runtime);

        public static void RestoreDebug(object runtime, bool? forced) => s_debug?.Restore(runtime, forced);

        /// <summary>A switch of the command runtime: its value and whether it was given.</summary>
        private sealed class FlagPair
        {
            private readonly PropertyInfo _value;
            private readonly PropertyInfo _isSet;

            private FlagPair(PropertyInfo value, PropertyInfo isSet)
            {
                _value = value;
                _isSet = isSet;
            }

            public static FlagPair? Find(string name)
            {
                if (CapabilityOverride.IsDisabled(Name))
                {
                    return null;
                }

                try
                {
                    PropertyInfo? value = OriginalRecords.RuntimeType?.GetProperty(name, OriginalRecords.Internal);
                    PropertyInfo? isSet = OriginalRecords.RuntimeType?.GetProperty("Is" + name + "FlagSet", OriginalRecords.Internal);
                    return value != null && isSet != null && value.PropertyType == typeof(bool) && isSet.PropertyType == typeof(bool)
                        && value.CanWrite && isSet.CanWrite
                        ? new FlagPair(value, isSet)
                        : null;
                }
                catch (AmbiguousMatchException)
                {
                    return null;
                }
            }

            public bool? Force(object runtime)
            {
                if (!OriginalRecords.IsEngineRuntime(runtime) || (bool)_isSet.GetValue(runtime)!)
                {
                    return null;
                }

                _value.SetValue(runtime, true);
                _isSet.SetValue(runtime, true);
                return false;
            }

            public void Restore(object runtime, bool? forced)
            {
                if (forced.HasValue)
                {
                    _value.SetValue(runtime, false);
                    _isSet.SetValue(runtime, false);
                }
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSThreading.Engine;
using PSThreading.Pool;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// The preferences a command's common parameters give (-Verbose, -Debug, -WarningAction, -InformationAction),
    /// as preference variables: what a worker it starts begins with, over the caller's own variables.
    /// </summary>
    internal static class CommonPreferences
    {
        public static IReadOnlyDictionary<string, object> Bound(PSCmdlet cmdlet)
        {
            var preferences = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            Dictionary<string, object> bound = cmdlet.MyInvocation.BoundParameters;
            if (bound.TryGetValue("Verbose", out object? verbose))
            {
                preferences["VerbosePreference"] = IsOn(verbose) ? ActionPreference.Continue : ActionPreference.SilentlyContinue;
            }

            // Continue, not 5.1's Inquire: a worker cannot stop to ask at each debug line.
            if (bound.TryGetValue("Debug", out object? debug))
            {
                preferences["DebugPreference"] = IsOn(debug) ? ActionPreference.Continue : ActionPreference.SilentlyContinue;
            }

            if (bound.TryGetValue("WarningAction", out object? warning) && warning != null)
            {
                preferences["WarningPreference"] = warning;
            }

            if (bound.TryGetValue("InformationAction", out object? information) && information != null)
            {
                preferences["InformationPreference"] = information;
            }

            return preferences;
        }

        private static bool IsOn(object? value) => value is SwitchParameter switchValue ? switchValue.IsPresent : LanguagePrimitives.IsTrue(value);
    }
}

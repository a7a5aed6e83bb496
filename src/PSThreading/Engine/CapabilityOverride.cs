using System;
using System.Collections.Generic;

namespace PSThreading.Engine
{
    /// <summary>
    /// For tests: the capabilities named in PSTHREADING_DISABLE_CAPABILITY (comma-separated, * for all) when the
    /// module was loaded count as unavailable, so that each fallback can be seen at work on a PowerShell where
    /// everything works. Turning a capability off only ever makes the module stricter or louder, never laxer.
    /// </summary>
    internal static class CapabilityOverride
    {
        public const string Variable = "PSTHREADING_DISABLE_CAPABILITY";

        private static readonly HashSet<string> s_disabled = Read();

        public static bool IsDisabled(string capability) => s_disabled.Contains(capability) || s_disabled.Contains("*");

        private static HashSet<string> Read()
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            string? value = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrEmpty(value))
            {
                foreach (string name in value!.Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    names.Add(name);
                }
            }

            return names;
        }
    }
}

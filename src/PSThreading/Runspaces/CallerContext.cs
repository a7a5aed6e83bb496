using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Host;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// What a worker inherits from the command that started it, captured on the caller's pipeline thread
    /// (session state may only be read there): the host, the file-system location, the preference variables and
    /// the language mode.
    /// </summary>
    internal sealed class CallerContext
    {
        internal static readonly string[] PreferenceNames =
        {
            "ErrorActionPreference",
            "WarningPreference",
            "VerbosePreference",
            "DebugPreference",
            "InformationPreference",
            "ProgressPreference",
            "ConfirmPreference",
            "WhatIfPreference",
        };

        private CallerContext(PSHost host, string? location, KeyValuePair<string, object?>[] preferences, PSLanguageMode languageMode)
        {
            Host = host;
            LanguageMode = languageMode;
            Location = location;
            Preferences = preferences;
        }

        public PSHost Host { get; }

        /// <summary>The caller's file-system location; null when it has none the worker could use.</summary>
        public string? Location { get; }

        public IReadOnlyList<KeyValuePair<string, object?>> Preferences { get; }

        /// <summary>The mode the worker's code runs in: the caller's, or ConstrainedLanguage under a system lockdown policy.</summary>
        public PSLanguageMode LanguageMode { get; }

        /// <summary>
        /// Whether the caller's own InformationPreference shows information records: then its join shows a worker's
        /// Write-Information, and the worker must not show it live as well.
        /// </summary>
        public bool ShowsInformation { get; private set; }

        /// <summary>
        /// The caller's context; <paramref name="overrides"/> (preference names and values, from the command's own
        /// common parameters) win over the caller's preference variables.
        /// </summary>
        public static CallerContext Capture(PSCmdlet cmdlet, IReadOnlyDictionary<string, object>? overrides = null)
        {
            string? location = null;
            try
            {
                location = cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            }
            catch (PSInvalidOperationException)
            {
                // No file-system drive in the caller's session: the worker keeps its own default.
            }

            var preferences = new List<KeyValuePair<string, object?>>(PreferenceNames.Length);
            foreach (string name in PreferenceNames)
            {
                if (overrides != null && overrides.TryGetValue(name, out object? given))
                {
                    preferences.Add(new KeyValuePair<string, object?>(name, given));
                    continue;
                }

                PSVariable? variable = cmdlet.SessionState.PSVariable.Get(name);
                if (variable != null)
                {
                    preferences.Add(new KeyValuePair<string, object?>(name, variable.Value));
                }
            }

            PSLanguageMode languageMode = LanguageModePolicy.ForWorkersOf(cmdlet);
            if (!HostTranscript.IsAvailable)
            {
                FallbackWarning.Once(HostTranscript.Name, cmdlet);
            }

            return new CallerContext(cmdlet.Host, location, preferences.ToArray(), languageMode)
            {
                ShowsInformation = LanguagePrimitives.TryConvertTo(cmdlet.SessionState.PSVariable.GetValue("InformationPreference"), out ActionPreference own)
                    && own == ActionPreference.Continue,
            };
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using PSThreading.Engine;
using PSThreading.Hosts;
using PSThreading.Lifecycle;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// A runspace a worker runs in: opened with the caller's host (so Write-Host shows at once, like print()
    /// from a Python thread), with PSThreading imported, and cleaned between users so nothing one worker sets
    /// is seen by the next.
    /// </summary>
    internal sealed class WorkerRunspace : IDisposable
    {
        private static readonly string s_modulePath = FindModulePath();
        private static readonly string[] s_moduleOnly = { s_modulePath };
        // Once workers of this process have used Microsoft.PowerShell.Utility (Start-Sleep, Write-Host, Select-Object...),
        // new runspaces import it by its path as they open. Left to autoload, each new runspace's first item looked it
        // up through the module path and imported it: 150-250 ms when 16 new workers of a widened pool did so at once
        // on 2 cores. Not before: a session whose workers never use it does not pay for it in every runspace.
        private static readonly string[] s_withUtility = FindWithUtility();
        private static volatile bool s_utilityUsed;

        private readonly RunspaceBaseline? _baseline;
        private readonly Dictionary<string, object?> _defaults = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);

        private WorkerRunspace(Runspace runspace, PSHost host, PSLanguageMode languageMode)
        {
            Runspace = runspace;
            Host = host;
            LanguageMode = languageMode;
            _baseline = RunspaceBaseline.Take(runspace);
            foreach (string name in CallerContext.PreferenceNames)
            {
                _defaults[name] = runspace.SessionStateProxy.GetVariable(name);
            }
        }

        public Runspace Runspace { get; }

        public PSHost Host { get; }

        /// <summary>The host UI of a Start-WorkerThread runspace (none for pool runspaces, whose host is the pool's).</summary>
        public WorkerHostUserInterface? WorkerUI { get; private set; }

        public Guid InstanceId => Runspace.InstanceId;

        /// <summary>The language mode the worker's code runs in: the caller's (see <see cref="CallerContext.LanguageMode"/>).</summary>
        public PSLanguageMode LanguageMode { get; }

        public bool IsUsable => Runspace.RunspaceStateInfo.State == RunspaceState.Opened;

        /// <summary>
        /// Opens a new runspace on the calling thread, in <paramref name="languageMode"/>; every later invocation
        /// runs on its caller's thread.
        /// </summary>
        public static WorkerRunspace Open(PSHost host, PSLanguageMode languageMode)
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            PSHost runspaceHost = host is PSThreading.Hosts.PoolWorkerHost ? host : new WorkerHost(host);
            Runspace runspace = RunspaceFactory.CreateRunspace(runspaceHost, state);
            runspace.ThreadOptions = PSThreadOptions.UseCurrentThread;
            runspace.Name = "PSThreading";
            try
            {
                runspace.Open();
                // Imported after Open(), not through the session state: an import done while pwsh is
                // shutting down failed inside InitialSessionState.ImportPSModule.
                using (PowerShell ps = PowerShell.Create())
                {
                    ps.Runspace = runspace;
                    ps.AddCommand("Import-Module").AddParameter("Name", s_utilityUsed ? s_withUtility : s_moduleOnly).AddParameter("Global");
                    ps.Invoke();
                    if (ps.HadErrors && ps.Streams.Error.Count > 0)
                    {
                        throw new InvalidOperationException(
                            $"PSThreading could not be imported into a worker runspace: {ps.Streams.Error[0]}", ps.Streams.Error[0].Exception);
                    }
                }

                RootDriveCheck.TrySkipFor(runspace);
                // Set after the import, which needs FullLanguage; from here on no code runs in another mode.
                runspace.SessionStateProxy.LanguageMode = languageMode;
                return new WorkerRunspace(runspace, host, languageMode) { WorkerUI = (runspaceHost as WorkerHost)?.WorkerUI };
            }
            catch
            {
                runspace.Dispose();
                throw;
            }
        }

        /// <summary>Gives a clean runspace the caller's location and preferences.</summary>
        public void PrepareFor(CallerContext caller)
        {
            ShutdownGate.Enter();
            try
            {
                Prepare(caller);
            }
            finally
            {
                ShutdownGate.Leave();
            }
        }

        private void Prepare(CallerContext caller)
        {
            SessionStateProxy state = Runspace.SessionStateProxy;
            foreach (KeyValuePair<string, object?> preference in caller.Preferences)
            {
                // After a reset every preference is back at its default; most callers keep the defaults.
                if (!_defaults.TryGetValue(preference.Key, out object? current) || !Equals(current, preference.Value))
                {
                    TrySetPreference(state, preference.Key, preference.Value);
                }
            }

            MoveTo(state.Path, caller.Location);
        }

        /// <summary>
        /// Puts back the runspace's language mode, which FullLanguage code may have changed: the pool's loop calls
        /// into this module and fails in any other mode.
        /// </summary>
        public void RestoreLanguageMode()
        {
            SessionStateProxy state = Runspace.SessionStateProxy;
            if (state.LanguageMode != LanguageMode)
            {
                state.LanguageMode = LanguageMode;
            }
        }

        /// <summary>
        /// A caller can hold a preference value that a fresh session refuses (Set-Variable and New-Variable skip
        /// the check an assignment makes: `Set-Variable VerbosePreference Invalid`). The worker then keeps its
        /// default, as ForEach-Object -Parallel and Start-ThreadJob do, instead of failing before its code runs.
        /// </summary>
        private static void TrySetPreference(SessionStateProxy state, string name, object? value)
        {
            try
            {
                state.SetVariable(name, value);
            }
            catch (RuntimeException)
            {
                // The value does not convert to the preference's type (a MetadataException): the default stays.
            }
        }

        /// <summary>
        /// Sets the location to the caller's file-system folder unless it is there already (the common case costs
        /// one read). <paramref name="location"/> null: the caller had none, nothing to do.
        /// </summary>
        public static void MoveTo(PathIntrinsics path, string? location)
        {
            if (location == null)
            {
                return;
            }

            PathInfo current = path.CurrentLocation;
            if (string.Equals(current.Provider.Name, "FileSystem", StringComparison.Ordinal)
                && string.Equals(current.ProviderPath, location, StringComparison.Ordinal))
            {
                return;
            }

            try
            {
                path.SetLocation(WildcardPattern.Escape(location));
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderInvocationException || ex is PSArgumentException)
            {
                // The caller's folder is gone or unreadable: the worker starts in its default location.
            }
        }

        /// <summary>
        /// Brings the runspace back to the state it was opened with (see <see cref="RunspaceBaseline"/>).
        /// False when it could not be and must be closed.
        /// </summary>
        public bool TryClean()
        {
            try
            {
                return _baseline != null && _baseline.TryRestore(Runspace);
            }
            catch (Exception)
            {
                // Whatever the worker did left the runspace in a state we cannot trust for the next one.
                return false;
            }
        }

        public void Dispose() => Runspace.Dispose();

        /// <summary>Told by the cleaning which shipped module a worker's code autoloaded.</summary>
        public static void NoteAutoloaded(string moduleName)
        {
            if (string.Equals(moduleName, UtilityModule, StringComparison.OrdinalIgnoreCase))
            {
                s_utilityUsed = true;
            }
        }

        private const string UtilityModule = "Microsoft.PowerShell.Utility";

        private static string[] FindWithUtility()
        {
            string utility = Path.Combine(Path.GetDirectoryName(typeof(PSObject).Assembly.Location) ?? ".", "Modules", UtilityModule, UtilityModule + ".psd1");
            return File.Exists(utility) ? new[] { s_modulePath, utility } : new[] { s_modulePath };
        }

        private static string FindModulePath()
        {
            string folder = Path.GetDirectoryName(typeof(WorkerRunspace).Assembly.Location) ?? ".";
            string manifest = Path.Combine(folder, "PSThreading.psd1");
            return File.Exists(manifest) ? manifest : typeof(WorkerRunspace).Assembly.Location;
        }
    }
}

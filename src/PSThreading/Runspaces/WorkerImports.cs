using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// The caller's functions and modules a worker asked for (-Function, -Module): resolved in the caller's
    /// session state on its pipeline thread, carried as text and paths, and defined in the worker's runspace on
    /// the worker's thread. A function's block object never crosses: the worker parses its text again.
    /// </summary>
    /// <remarks>
    /// A module is found by name among the caller's loaded modules first (the path it was loaded from, its
    /// manifest when it has one), then among the modules available by name (<c>Get-Module -ListAvailable</c>):
    /// a worker imports the same file the caller would. What a worker defines is undone when its runspace goes
    /// back to the cache: extra functions are removed, and a runspace with an extra module is discarded.
    /// </remarks>
    internal sealed class WorkerImports
    {
        private readonly string _definitions;
        private readonly string[] _modulePaths;

        private WorkerImports(string definitions, string[] modulePaths)
        {
            _definitions = definitions;
            _modulePaths = modulePaths;
        }

        /// <summary>The functions' definitions as one script (empty when none): what a worker process dot-sources and -Session sends to a node.</summary>
        public string Definitions => _definitions;

        /// <summary>The modules' paths, imported in that order.</summary>
        public IReadOnlyList<string> ModulePaths => _modulePaths;

        /// <summary>
        /// Resolves the names in the caller; null when none were given. A name the caller does not have is a
        /// terminating FunctionNotFound or ModuleNotFound error, before any thread starts.
        /// </summary>
        public static WorkerImports? Resolve(PSCmdlet caller, string[]? functions, string[]? modules)
        {
            if ((functions == null || functions.Length == 0) && (modules == null || modules.Length == 0))
            {
                return null;
            }

            var definitions = new StringBuilder();
            foreach (string name in functions ?? Array.Empty<string>())
            {
                definitions.AppendLine(Definition(caller, name));
            }

            var paths = new List<string>();
            foreach (string name in modules ?? Array.Empty<string>())
            {
                paths.Add(ModulePath(caller, name));
            }

            return new WorkerImports(definitions.ToString(), paths.ToArray());
        }

        /// <summary>Defines the functions and imports the modules in the worker's global scope. Runs on the worker's thread.</summary>
        public void Define(Runspace worker)
        {
            using (PowerShell ps = PowerShell.Create())
            {
                ps.Runspace = worker;
                if (_definitions.Length > 0)
                {
                    // Dot-sourced at the top of the runspace: the functions land in its global scope.
                    ps.AddScript(_definitions, useLocalScope: false);
                }

                if (_modulePaths.Length > 0)
                {
                    if (_definitions.Length > 0)
                    {
                        ps.AddStatement();
                    }

                    ps.AddCommand("Import-Module").AddParameter("Name", _modulePaths).AddParameter("Global").AddParameter("ErrorAction", ActionPreference.Stop);
                }

                ps.Invoke();
            }
        }

        private static string Definition(PSCmdlet caller, string name)
        {
            CommandInfo? command = null;
            if (!string.IsNullOrEmpty(name) && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                command = caller.SessionState.InvokeCommand.GetCommand(name, CommandTypes.Function | CommandTypes.Filter);
            }

            if (!(command is FunctionInfo function))
            {
                var missing = new ItemNotFoundException($"The caller has no function '{name}' to define in the worker. Define it (or import its module) before starting the thread, or check the name given to -Function.");
                caller.ThrowTerminatingError(new ErrorRecord(missing, ErrorIds.FunctionNotFound, ErrorCategory.ObjectNotFound, name));
                throw missing; // Not reached: ThrowTerminatingError always throws.
            }

            // The text of the definition, parsed again in the worker.
            string keyword = function.CommandType == CommandTypes.Filter ? "filter" : "function";
            return $"{keyword} {function.Name} {{{function.Definition}}}";
        }

        private static string ModulePath(PSCmdlet caller, string name)
        {
            string? path = null;
            if (!string.IsNullOrEmpty(name) && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                path = FindModule(caller, name, listAvailable: false) ?? FindModule(caller, name, listAvailable: true);
            }

            if (path == null)
            {
                var missing = new ItemNotFoundException($"The caller has no module '{name}' loaded or available by name to import in the worker. Import it in the caller first (Import-Module), or check the name given to -Module.");
                caller.ThrowTerminatingError(new ErrorRecord(missing, ErrorIds.ModuleNotFound, ErrorCategory.ObjectNotFound, name));
                throw missing; // Not reached: ThrowTerminatingError always throws.
            }

            return path;
        }

        private static string? FindModule(PSCmdlet caller, string name, bool listAvailable)
        {
            var find = ScriptBlock.Create(listAvailable
                ? "param($n) Get-Module -ListAvailable -Name $n -ErrorAction Ignore | Select-Object -First 1"
                : "param($n) Get-Module -Name $n -ErrorAction Ignore | Select-Object -First 1");
            foreach (PSObject found in caller.InvokeCommand.InvokeScript(false, find, null, name))
            {
                if (found?.BaseObject is PSModuleInfo module)
                {
                    return LoadPath(module);
                }
            }

            return null;
        }

        // A module loaded from a manifest reports its root module as Path: the manifest beside it is what was imported.
        private static string LoadPath(PSModuleInfo module)
        {
            if (!string.IsNullOrEmpty(module.ModuleBase))
            {
                string manifest = Path.Combine(module.ModuleBase, module.Name + ".psd1");
                if (File.Exists(manifest))
                {
                    return manifest;
                }
            }

            return string.IsNullOrEmpty(module.Path) ? module.Name : module.Path;
        }
    }
}

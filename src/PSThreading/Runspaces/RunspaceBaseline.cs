using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// What a worker runspace held right after it was opened, and the restore that brings a used one back to
    /// it. ResetRunspaceState restores variables and location only; aliases, functions, drives, modules, type
    /// and format data, event subscriptions and the language mode are checked here. What can be undone
    /// cheaply is undone (extra aliases, functions, drives; the language mode); what cannot (an imported
    /// module, Update-TypeData, Update-FormatData, a changed built-in) makes the runspace be discarded.
    /// </summary>
    internal sealed class RunspaceBaseline
    {
        // Modules that ship with PowerShell and load by themselves on first use of one of their cmdlets. They
        // hold no state of their own: keeping them loaded is what every later worker would do anyway, where
        // discarding the runspace would cost a new one after any worker that ran Get-ChildItem or ConvertTo-Json.
        private static readonly HashSet<string> s_statelessShippedModules = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Microsoft.PowerShell.Management",
            "Microsoft.PowerShell.Utility",
            "Microsoft.PowerShell.Security",
            "Microsoft.PowerShell.Diagnostics",
            "Microsoft.PowerShell.Host",
            "CimCmdlets",
            // The assemblies the modules above load as nested modules: listed in the module table too.
            "Microsoft.PowerShell.Commands.Management",
            "Microsoft.PowerShell.Commands.Utility",
            "Microsoft.PowerShell.Commands.Diagnostics",
            "Microsoft.Management.Infrastructure.CimCmdlets",
        };

        // $PSHOME: the shipped modules live in its Modules folder, their nested assemblies in it directly.
        private static readonly string s_powerShellHome = Path.GetDirectoryName(typeof(PSObject).Assembly.Location) ?? string.Empty;

        private readonly SessionStateTables _tables;
        private readonly PSLanguageMode _languageMode;
        private readonly int _typeEntries;
        private readonly int _formatEntries;
        private readonly int _subscribers;
        private readonly Dictionary<string, AliasInfo> _aliases = new Dictionary<string, AliasInfo>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _aliasDefinitions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, ScriptBlock> _functions = new Dictionary<string, ScriptBlock>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _drives = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _modules = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        private RunspaceBaseline(Runspace runspace, SessionStateTables tables)
        {
            _tables = tables;
            _languageMode = runspace.SessionStateProxy.LanguageMode;
            _typeEntries = runspace.InitialSessionState.Types.Count;
            _formatEntries = runspace.InitialSessionState.Formats.Count;
            _subscribers = runspace.Events.Subscribers.Count;
            foreach (AliasInfo alias in tables.Aliases())
            {
                _aliases[alias.Name] = alias;
                _aliasDefinitions[alias.Name] = alias.Definition;
            }

            foreach (FunctionInfo function in tables.Functions())
            {
                _functions[function.Name] = function.ScriptBlock;
            }

            foreach (PSDriveInfo drive in tables.Drives())
            {
                _drives.Add(drive.Name);
            }

            _modules.UnionWith(tables.ModulePaths().Keys);
        }

        /// <summary>The baseline of a runspace just opened (its language mode already set); null when its state cannot be read.</summary>
        public static RunspaceBaseline? Take(Runspace runspace)
        {
            SessionStateTables? tables = SessionStateTables.TryOpen(runspace);
            try
            {
                return tables == null ? null : new RunspaceBaseline(runspace, tables);
            }
            catch (Exception)
            {
                // A table the engine changed under us: the runspace is not reused, and the worker still starts.
                return null;
            }
        }

        /// <summary>
        /// Brings a used runspace back to the baseline. False when it cannot be (the runspace must be closed);
        /// throws when a step failed, which means the same.
        /// </summary>
        public bool TryRestore(Runspace runspace)
        {
            // Cheap counts first: what they catch cannot be undone, so nothing else needs doing.
            if (runspace.InitialSessionState.Types.Count != _typeEntries
                || runspace.InitialSessionState.Formats.Count != _formatEntries
                || runspace.Events.Subscribers.Count != _subscribers
                || !ModulesAreBaseline())
            {
                return false;
            }

            runspace.ResetRunspaceState();
            SessionStateProxy state = runspace.SessionStateProxy;
            if (state.LanguageMode != _languageMode)
            {
                state.LanguageMode = _languageMode;
            }

            return RestoreFunctions(state.InvokeProvider) && RestoreAliases(state.InvokeProvider) && RestoreDrives(state);
        }

        private bool ModulesAreBaseline()
        {
            if (_tables.ModuleCount == _modules.Count)
            {
                // Same count: the same modules unless one was removed and another loaded in its place.
                foreach (string path in _tables.ModulePaths().Keys)
                {
                    if (!_modules.Contains(path))
                    {
                        return false;
                    }
                }

                return true;
            }

            Dictionary<string, PSModuleInfo> loaded = _tables.ModulePaths();
            foreach (string path in _modules)
            {
                if (!loaded.ContainsKey(path))
                {
                    return false;
                }
            }

            foreach (KeyValuePair<string, PSModuleInfo> module in loaded)
            {
                if (!_modules.Contains(module.Key))
                {
                    if (!IsStatelessShipped(module.Value))
                    {
                        return false;
                    }

                    // Autoloaded and stateless: part of the baseline from now on.
                    _modules.Add(module.Key);
                    WorkerRunspace.NoteAutoloaded(module.Value.Name);
                }
            }

            return true;
        }

        private static bool IsStatelessShipped(PSModuleInfo module)
            => s_statelessShippedModules.Contains(module.Name)
                && s_powerShellHome.Length > 0
                && module.ModuleBase.StartsWith(s_powerShellHome, StringComparison.OrdinalIgnoreCase);

        private bool RestoreFunctions(ProviderIntrinsics provider)
        {
            foreach (FunctionInfo function in _tables.Functions())
            {
                if (_functions.TryGetValue(function.Name, out ScriptBlock? original))
                {
                    if (!ReferenceEquals(original, function.ScriptBlock))
                    {
                        // A built-in function redefined: rare, and restoring its options is not worth the code.
                        return false;
                    }
                }
                else
                {
                    provider.Item.Remove("function:" + WildcardPattern.Escape(function.Name), false);
                }
            }

            return _tables.Functions().Count == _functions.Count;
        }

        private bool RestoreAliases(ProviderIntrinsics provider)
        {
            List<AliasInfo> aliases = _tables.Aliases();
            bool removed = false;
            foreach (AliasInfo alias in aliases)
            {
                if (_aliases.TryGetValue(alias.Name, out AliasInfo? original))
                {
                    if (!ReferenceEquals(original, alias) || !string.Equals(_aliasDefinitions[alias.Name], alias.Definition, StringComparison.OrdinalIgnoreCase))
                    {
                        return false;
                    }
                }
                else
                {
                    provider.Item.Remove("alias:" + WildcardPattern.Escape(alias.Name), false);
                    removed = true;
                }
            }

            return (removed ? _tables.Aliases().Count : aliases.Count) == _aliases.Count;
        }

        private bool RestoreDrives(SessionStateProxy state)
        {
            List<PSDriveInfo> drives = _tables.Drives();
            bool removed = false;
            foreach (PSDriveInfo drive in drives)
            {
                if (!_drives.Contains(drive.Name))
                {
                    state.Drive.Remove(drive.Name, true, "global");
                    removed = true;
                }
            }

            return (removed ? _tables.Drives().Count : drives.Count) == _drives.Count;
        }
    }
}

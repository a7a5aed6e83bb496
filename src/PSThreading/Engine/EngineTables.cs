using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Engine
{
    /// <summary>
    /// The engine's own tables of one runspace: global aliases, functions and drives, and the loaded modules.
    /// The public ways to list them (the alias: provider, Get-Module) cost more than ResetRunspaceState itself,
    /// once per reuse; the engine keeps them in plain dictionaries that are read here without a pipeline.
    /// Reached by reflection: when an engine lays them out differently, <see cref="TryOpen"/> gives null and
    /// the runspace is never reused (correct, only slower).
    /// </summary>
    internal sealed class EngineTables
    {
        private const BindingFlags Members = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

        private readonly object _globalScope;
        private readonly PropertyInfo _aliasTable;
        private readonly PropertyInfo _functionTable;
        private readonly PropertyInfo _driveTable;
        private readonly IDictionary _moduleTable;

        private EngineTables(object globalScope, PropertyInfo aliases, PropertyInfo functions, PropertyInfo drives, IDictionary modules)
        {
            _globalScope = globalScope;
            _aliasTable = aliases;
            _functionTable = functions;
            _driveTable = drives;
            _moduleTable = modules;
        }

        public static EngineTables? TryOpen(Runspace runspace)
        {
            try
            {
                object? context = Read(runspace, "ExecutionContext") ?? Read(runspace, "GetExecutionContext");
                object? sessionState = Read(context, "EngineSessionState");
                object? globalScope = Read(sessionState, "GlobalScope");
                object? modules = Read(Read(context, "Modules"), "ModuleTable");
                if (globalScope == null || !(modules is IDictionary moduleTable))
                {
                    return null;
                }

                Type scopeType = globalScope.GetType();
                PropertyInfo? aliases = scopeType.GetProperty("AliasTable", Members);
                PropertyInfo? functions = scopeType.GetProperty("FunctionTable", Members);
                PropertyInfo? drives = scopeType.GetProperty("Drives", Members);
                if (aliases == null || functions == null || drives == null)
                {
                    return null;
                }

                var tables = new EngineTables(globalScope, aliases, functions, drives, moduleTable);
                // Read each once: a table of another shape fails here, not in the middle of a clean.
                _ = tables.Aliases();
                _ = tables.Functions();
                _ = tables.Drives();
                _ = tables.ModulePaths();
                return tables;
            }
            catch (Exception ex) when (ex is TargetInvocationException || ex is InvalidCastException || ex is MemberAccessException || ex is ArgumentException)
            {
                return null;
            }
        }

        public List<AliasInfo> Aliases() => ReadAll<AliasInfo>(_aliasTable.GetValue(_globalScope));

        public List<FunctionInfo> Functions()
        {
            object? table = _functionTable.GetValue(_globalScope);
            return table is IDictionary dictionary ? ReadAll<FunctionInfo>(dictionary.Values) : ReadAll<FunctionInfo>(table);
        }

        public List<PSDriveInfo> Drives() => ReadAll<PSDriveInfo>(_driveTable.GetValue(_globalScope));

        /// <summary>The loaded modules, by the path the engine keys them with.</summary>
        public Dictionary<string, PSModuleInfo> ModulePaths()
        {
            var modules = new Dictionary<string, PSModuleInfo>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in _moduleTable)
            {
                if (entry.Key is string path && entry.Value is PSModuleInfo module)
                {
                    modules[path] = module;
                }
            }

            return modules;
        }

        public int ModuleCount => _moduleTable.Count;

        private static object? Read(object? target, string property)
            => target?.GetType().GetProperty(property, Members)?.GetValue(target);

        private static List<T> ReadAll<T>(object? table)
        {
            if (!(table is IEnumerable items))
            {
                throw new InvalidCastException($"The engine's table of {typeof(T).Name} is not a list.");
            }

            var all = new List<T>();
            foreach (object item in items)
            {
                all.Add((T)item);
            }

            return all;
        }
    }
}

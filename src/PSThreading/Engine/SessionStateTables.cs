using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// The engine's own tables of one runspace: global aliases, functions and drives, and the loaded modules.
    /// The public ways to list them (the alias: provider, Get-Module) cost more than ResetRunspaceState itself,
    /// once per reuse; the engine keeps them in plain dictionaries that are read here without a pipeline.
    /// The members are looked up once, by type; any failure, then or later, makes <see cref="TryOpen"/> give null
    /// and the runspace is never reused (correct, only slower): never a failed worker start.
    /// </summary>
    internal sealed class SessionStateTables
    {
        public const string Name = "SessionStateTables";

        private static readonly Path? s_path = Path.Find();
        private static volatile bool s_failed;

        private readonly object _globalScope;
        private readonly IDictionary _moduleTable;

        private SessionStateTables(object globalScope, IDictionary modules)
        {
            _globalScope = globalScope;
            _moduleTable = modules;
        }

        /// <summary>True when the members were found here and no read has failed since.</summary>
        public static bool IsAvailable => s_path != null && !s_failed;

        public static SessionStateTables? TryOpen(Runspace runspace)
        {
            Path? path = s_path;
            if (path == null || s_failed)
            {
                return null;
            }

            try
            {
                object? context = ExecutionContextOf.Read(runspace);
                if (context == null)
                {
                    // Not a local runspace, or not opened yet: nothing to read here, and nothing wrong with the engine.
                    return null;
                }

                object? globalScope = path.GlobalScope.GetValue(path.SessionState.GetValue(context));
                if (globalScope == null || !(path.ModuleTable.GetValue(path.Modules.GetValue(context)) is IDictionary moduleTable))
                {
                    return null;
                }

                var tables = new SessionStateTables(globalScope, moduleTable);
                // Read each once: a table of another shape fails here, not in the middle of a clean.
                _ = tables.Aliases();
                _ = tables.Functions();
                _ = tables.Drives();
                _ = tables.ModulePaths();
                return tables;
            }
            catch (Exception)
            {
                // Whatever this engine does differently (an ambiguous member, a null, a cast): not reused, and said so.
                s_failed = true;
                return null;
            }
        }

        public List<AliasInfo> Aliases() => ReadAll<AliasInfo>(s_path!.AliasTable.GetValue(_globalScope));

        public List<FunctionInfo> Functions()
        {
            object? table = s_path!.FunctionTable.GetValue(_globalScope);
            return table is IDictionary dictionary ? ReadAll<FunctionInfo>(dictionary.Values) : ReadAll<FunctionInfo>(table);
        }

        public List<PSDriveInfo> Drives() => ReadAll<PSDriveInfo>(s_path!.Drives.GetValue(_globalScope));

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

        /// <summary>
        /// A local runspace's ExecutionContext, its EngineSessionState's GlobalScope and that scope's tables, and the
        /// context's Modules.ModuleTable: found by declared type, so no runspace is needed to know they are there.
        /// </summary>
        private sealed class Path
        {
            private Path(PropertyInfo context, PropertyInfo sessionState, PropertyInfo globalScope, PropertyInfo aliases,
                PropertyInfo functions, PropertyInfo drives, PropertyInfo modules, PropertyInfo moduleTable)
            {
                Context = context;
                SessionState = sessionState;
                GlobalScope = globalScope;
                AliasTable = aliases;
                FunctionTable = functions;
                Drives = drives;
                Modules = modules;
                ModuleTable = moduleTable;
            }

            public PropertyInfo Context { get; }

            public PropertyInfo SessionState { get; }

            public PropertyInfo GlobalScope { get; }

            public PropertyInfo AliasTable { get; }

            public PropertyInfo FunctionTable { get; }

            public PropertyInfo Drives { get; }

            public PropertyInfo Modules { get; }

            public PropertyInfo ModuleTable { get; }

            public static Path? Find()
            {
                if (CapabilityOverride.IsDisabled(Name))
                {
                    return null;
                }

                try
                {
                    PropertyInfo? context = ExecutionContextOf.Property;
                    PropertyInfo? sessionState = Property(context?.PropertyType, "EngineSessionState");
                    PropertyInfo? globalScope = Property(sessionState?.PropertyType, "GlobalScope");
                    Type? scope = globalScope?.PropertyType;
                    PropertyInfo? aliases = Property(scope, "AliasTable");
                    PropertyInfo? functions = Property(scope, "FunctionTable");
                    PropertyInfo? drives = Property(scope, "Drives");
                    PropertyInfo? modules = Property(context?.PropertyType, "Modules");
                    PropertyInfo? moduleTable = Property(modules?.PropertyType, "ModuleTable");
                    return context == null || sessionState == null || globalScope == null || aliases == null
                        || functions == null || drives == null || modules == null || moduleTable == null
                        || !typeof(IDictionary).IsAssignableFrom(moduleTable.PropertyType)
                        ? null
                        : new Path(context, sessionState, globalScope, aliases, functions, drives, modules, moduleTable);
                }
                catch (Exception)
                {
                    // AmbiguousMatchException (an overload added), a type that does not load: not available.
                    return null;
                }
            }

            private static PropertyInfo? Property(Type? type, string name) => ExecutionContextOf.PropertyOf(type, name);
        }
    }
}

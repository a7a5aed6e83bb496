using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Inline
{
    /// <summary>
    /// What an inline block could change in its caller that a worker's block cannot, since a worker runs in a
    /// runspace of its own that starts in the caller's location: the location and the global variables.
    /// Saved before the block and put back after it, so that a <c>Set-Location</c> or a <c>$global:x = 1</c>
    /// in the block stays in the block, as in Threads mode. Objects a global refers to are shared, as a
    /// <c>$using:</c> value is: changes made to them stay.
    /// </summary>
    /// <remarks>
    /// The wrapper script (see <see cref="InlineScript"/>) saves and restores in the block's own pipeline, which
    /// costs no nested pipeline of its own; a pipeline being stopped runs no command in its finally, so then
    /// <see cref="RestoreIfNeeded"/> does it after, in a nested pipeline.
    /// </remarks>
    internal sealed class InlineCallerState
    {
        /// <summary>The wrapper's command that lists the globals: module-qualified, so that a Pester mock is not what runs.</summary>
        internal const string ListGlobals = @"@(Microsoft.PowerShell.Utility\Get-Variable -Scope Global)";

        private readonly Dictionary<string, object?> _globals = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        private SessionState? _state;
        private string? _location;
        private bool _restored;

        /// <summary>Called by the wrapper before the block: the caller's session state and its globals.</summary>
        public void Save(SessionState state, object[] globals)
        {
            _location = state.Path.CurrentLocation.Path;
            foreach (PSVariable variable in UserVariables(globals))
            {
                _globals[variable.Name] = variable.Value;
            }

            _state = state;
        }

        /// <summary>Called by the wrapper's finally, with the globals as the block left them.</summary>
        public void Restore(object[] globals)
        {
            SessionState? state = _state;
            if (state == null)
            {
                return;
            }

            if (!string.Equals(state.Path.CurrentLocation.Path, _location, StringComparison.Ordinal))
            {
                Quietly(() => state.Path.SetLocation(WildcardPattern.Escape(_location)));
            }

            var now = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (PSVariable variable in UserVariables(globals))
            {
                now.Add(variable.Name);
                if (!_globals.TryGetValue(variable.Name, out object? before))
                {
                    Quietly(() => state.PSVariable.Remove("global:" + variable.Name));
                }
                else if (!ReferenceEquals(before, variable.Value) && !Equals(before, variable.Value))
                {
                    Quietly(() => state.PSVariable.Set("global:" + variable.Name, before));
                }
            }

            foreach (KeyValuePair<string, object?> removed in _globals)
            {
                if (!now.Contains(removed.Key))
                {
                    Quietly(() => state.PSVariable.Set("global:" + removed.Key, removed.Value));
                }
            }

            _restored = true;
        }

        /// <summary>After the run, on the caller's thread: restores when the wrapper's finally could not (the block was stopped).</summary>
        public void RestoreIfNeeded()
        {
            if (_state == null || _restored)
            {
                return;
            }

            object[] globals;
            try
            {
                using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    ps.AddScript(ListGlobals);
                    globals = ps.Invoke().ToArray();
                }
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C: the caller's pipeline runs no command now. What can be put back without one still is:
                // the location and the globals saved (the block's new ones cannot be listed).
                globals = SavedGlobalsNow(_state);
                Restore(globals);
                throw;
            }

            Restore(globals);
        }

        private object[] SavedGlobalsNow(SessionState state)
        {
            var now = new List<object>(_globals.Count);
            foreach (string name in _globals.Keys)
            {
                PSVariable? variable = state.PSVariable.Get("global:" + name);
                if (variable != null)
                {
                    now.Add(variable);
                }
            }

            return now.ToArray();
        }

        // Plain variables only: the engine's own ($?, $null, $PSCulture, a script's $args...) are of types of
        // their own, and $PWD follows the location.
        private static IEnumerable<PSVariable> UserVariables(object[] globals)
        {
            foreach (object value in globals)
            {
                if ((value is PSObject wrapped ? wrapped.BaseObject : value) is PSVariable variable
                    && variable.GetType() == typeof(PSVariable)
                    && !string.Equals(variable.Name, "PWD", StringComparison.OrdinalIgnoreCase))
                {
                    yield return variable;
                }
            }
        }

        private static void Quietly(Action restore)
        {
            try
            {
                restore();
            }
            catch (Exception ex) when (ex is SessionStateException || ex is PSArgumentException || ex is ProviderInvocationException)
            {
                // A variable the block made constant or read-only, a location that is gone: nothing to put back.
            }
        }
    }
}

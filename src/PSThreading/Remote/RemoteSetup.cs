using PSThreading.Values;

namespace PSThreading.Remote
{
    /// <summary>What each session does around its items: -Function definitions (text), -Module names, -Begin, -End.</summary>
    internal sealed class RemoteSetup
    {
        public RemoteSetup(string? definitions, string[]? modules, WorkerScript? begin, WorkerScript? end)
        {
            Definitions = string.IsNullOrEmpty(definitions) ? null : definitions;
            Modules = modules == null || modules.Length == 0 ? null : modules;
            Begin = begin;
            End = end;
        }

        /// <summary>The functions' definitions, dot-sourced into the session's global scope.</summary>
        public string? Definitions { get; }

        /// <summary>Modules imported on the node by name: the node's own copy, found on its module path.</summary>
        public string[]? Modules { get; }

        public WorkerScript? Begin { get; }

        public WorkerScript? End { get; }
    }
}

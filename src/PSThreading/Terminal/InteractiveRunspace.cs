using System;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Terminal
{
    /// <summary>
    /// Tells whether the calling thread runs the interactive host's own runspace: the console's at a pwsh
    /// prompt or under -File. ForEach-Object -Parallel, Start-ThreadJob and a [powershell] made by a script run
    /// under the default host; a runspace opened with the console's host, and this module's workers, use the
    /// console's host but are not its runspace.
    /// </summary>
    internal static class InteractiveRunspace
    {
        public static bool IsCurrent()
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace == null)
            {
                return false;
            }

            try
            {
                // Runs in the calling runspace, on this thread: $Host is the host that runspace was opened with.
                var found = ScriptBlock.Create("$Host").Invoke();
                object? host = found.Count > 0 ? found[0]?.BaseObject : null;
                return host is IHostSupportsInteractiveSession interactive && interactive.Runspace?.InstanceId == runspace.InstanceId;
            }
            catch (Exception)
            {
                // The default host does not support an interactive session and says so by throwing.
                return false;
            }
        }

        /// <summary>
        /// The runspace whose closing means the process exits: the console's. Null in a host that has none, or
        /// when the engine does not say (then only the console host's own interactive runspace is taken for it).
        /// </summary>
        public static Runspace? Primary(PSHost? host)
        {
            if (PrimaryRunspace.TryGet(out Runspace? primary))
            {
                return primary;
            }

            // IHostSupportsInteractiveSession.Runspace is the console's runspace, unless Enter-PSSession pushed another.
            if (host is IHostSupportsInteractiveSession interactive && !interactive.IsRunspacePushed
                && string.Equals(host.Name, "ConsoleHost", StringComparison.Ordinal))
            {
                return interactive.Runspace;
            }

            return null;
        }
    }
}

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
    }
}

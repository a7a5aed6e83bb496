using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Core.Threads;

namespace PSThreading.Pool
{
    /// <summary>
    /// A pool worker inside a .NET call (Thread.Sleep, a slow regex) cannot be stopped: the stopped call returns
    /// without it, and says so, naming it as Stop-WorkerThread does, rather than leave it running unseen.
    /// </summary>
    internal static class StillRunningWarning
    {
        public static void Write(PSCmdlet cmdlet, IReadOnlyList<WorkerThread> running)
        {
            string names = string.Join(", ", running.Select(t => $"'{t.Name}' (id {t.ManagedThreadId})"));
            string message = $"{cmdlet.MyInvocation.MyCommand.Name} stopped, but {running.Count} of its threads are still stopping: {names}. " +
                "They are inside a call that cannot be interrupted, and will stop when that call returns.";
            try
            {
                cmdlet.WriteWarning(message);
            }
            catch (PipelineStoppedException)
            {
                // After Ctrl+C every write to the pipeline's streams throws; the host's own UI still shows it.
                WriteToHost(cmdlet, message);
            }
            catch (InvalidOperationException)
            {
                // The call was disposed after its pipeline ended: nowhere left to warn.
            }
        }

        private static void WriteToHost(PSCmdlet cmdlet, string message)
        {
            try
            {
                cmdlet.Host?.UI?.WriteWarningLine(message);
            }
            catch (Exception ex) when (ex is NotImplementedException || ex is InvalidOperationException)
            {
                // A host without a user interface (a [powershell] a script made): nothing to show it on.
            }
        }
    }
}

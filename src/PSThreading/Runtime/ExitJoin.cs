using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSThreading.Core;

namespace PSThreading.Runtime
{
    /// <summary>
    /// Python's exit rule: the process waits for non-daemon threads. A foreground .NET thread alone is not
    /// enough, because when pwsh's main runspace closes it disposes every other runspace and so stops the
    /// workers mid-way. Joining them from the caller's PowerShell.Exiting event runs before that disposal.
    /// Daemon threads are the opposite case: that disposal waits for their pipelines, and one stuck in a .NET
    /// call (Thread.Sleep) would hold the exit, so when the console's runspace exits they are interrupted.
    /// </summary>
    internal static class ExitJoin
    {
        private static readonly ConcurrentDictionary<Guid, byte> s_registered = new ConcurrentDictionary<Guid, byte>();

        /// <summary>
        /// Subscribes the caller's runspace once, when it is the console's: only that runspace closing means
        /// the process is exiting. A hosted runspace closing (a [powershell] a script made, a host application's)
        /// must neither wait for nor cut off threads that other runspaces started.
        /// </summary>
        public static void EnsureRegistered(PSCmdlet caller)
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace == null
                || !string.Equals(caller.Host.Name, "ConsoleHost", StringComparison.Ordinal)
                || RunspaceCache.IsWorkerRunspace(runspace.InstanceId)
                || !s_registered.TryAdd(runspace.InstanceId, 0))
            {
                return;
            }

            caller.Events.SubscribeEvent(
                source: null,
                eventName: null,
                sourceIdentifier: PSEngineEvent.Exiting,
                data: null,
                handlerDelegate: (sender, e) => OnExiting(),
                supportEvent: true,
                forwardEvent: false);
        }

        private static void OnExiting()
        {
            JoinNonDaemonWorkers();
            foreach (WorkerThread daemon in ThreadRegistry.LiveDaemonWorkers())
            {
                daemon.RequestStop();
                daemon.InterruptOsThread();
            }
        }

        private static void JoinNonDaemonWorkers()
        {
            foreach (WorkerThread thread in ThreadRegistry.LiveNonDaemonWorkers())
            {
                try
                {
                    thread.Join(null, CancellationToken.None);
                }
                catch (InvalidOperationException)
                {
                    // The exiting thread is itself a worker: it cannot wait for itself.
                }
            }
        }
    }
}

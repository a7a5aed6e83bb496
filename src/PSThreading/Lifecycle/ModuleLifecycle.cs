using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Runspaces;
using PSThreading.Streams;
using PSThreading.Terminal;
using PSThreading.Values;

namespace PSThreading.Lifecycle
{
    /// <summary>Sets up and tears down the process-wide state when the module is imported and removed.</summary>
    /// <remarks>
    /// Public because PowerShell looks for the initializer among the assembly's public types (internal, it was
    /// never called); its methods are reachable only through the two interfaces.
    /// </remarks>
    public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        void IModuleAssemblyInitializer.OnImport()
        {
            // The console's runspace names its thread MainThread for good, even when another thread (a
            // ForEach-Object -Parallel runspace) imported first; with no console, the first importer stays main.
            if (InteractiveRunspace.IsCurrent())
            {
                ThreadRegistry.ClaimMainThread();
            }
            else
            {
                ThreadRegistry.EnsureMainThread();
            }
            // A method call such as $lock.Acquire() hears no pipeline stop: waits end on Ctrl+C and on their
            // thread's stop through these, stopping the script there as Ctrl+C does.
            MainThreadInterrupt.SetListener(ConsoleCancel.Listen);
            BlockingWait.StoppedException = () => new PipelineStoppedException();
            // Here too, not only in Start-WorkerThread: the first thread may be started where no host says which
            // runspace is the console's (a pool item), and it must still be joined at exit.
            ExitJoin.EnsureRegistered(host: null);
            // A condition's WaitFor predicate is a script block: its value is true by PowerShell's rule.
            ThreadCondition.IsTrue = LanguagePrimitives.IsTrue;
            // $lock.Acquire() that takes over an abandoned lock warns the script, as Invoke-WithLock does.
            SyncPrimitive.AbandonedTakeNotice = (target, abandonedBy) => MethodCallWarning.Write(AbandonedLockWarning.Message(target, abandonedBy));
            // Import-Module -Verbose lists the fallbacks in use: one line each, none when everything works here.
            if (CurrentCommand.Get() is PSCmdlet importing)
            {
                foreach (ThreadingCapability capability in EngineCapabilities.All())
                {
                    if (capability.FallbackActive)
                    {
                        importing.WriteVerbose($"PSThreading fallback in use: {capability.Name} does not work on this PowerShell ({capability.Fallback}).");
                    }
                }
            }
            // In a worker process (-Isolation Process): end with the process that started it.
            Processes.ParentWatch.StartIfWorkerProcess();
        }

        /// <summary>
        /// Remove-Module: idle warm runspaces and parked pool threads are disposed; threads still running are
        /// left to finish (stopping them would cut work short that the user did not ask to stop), with a warning.
        /// </summary>
        void IModuleAssemblyCleanup.OnRemove(PSModuleInfo psModuleInfo)
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace != null && RunspaceCache.IsWorkerRunspace(runspace.InstanceId))
            {
                // A worker removing its own import: the process-wide state is not its to tear down.
                return;
            }

            RunspaceCache.Clear();
            PoolThreads.RetireIdle();
            WorkerThread.RetireParkedOsThreads();
            Processes.ProcessPool.Places.CloseIdle();
            int self = Environment.CurrentManagedThreadId;
            bool StillRuns(WorkerThread t) => (t.Kind == ThreadKind.Worker || t.Kind == ThreadKind.PoolWorker) && t.IsAlive && t.ManagedThreadId != self;
            // Threads left to finish still write above the prompt: the idle hook goes once they have ended.
            PSReadLinePrompt.Release(() => ThreadRegistry.Enumerate().Any(StillRuns));
            List<WorkerThread> running = ThreadRegistry.Enumerate().Where(StillRuns).ToList();
            if (running.Count > 0)
            {
                string message = $"PSThreading was removed while {running.Count} of its threads still run ({string.Join(", ", running.Select(t => t.Name))}): " +
                    "they are left to finish. Stop them first with " +
                    "Get-ActiveThread | Stop-WorkerThread if they should not run on.";
                // Remove-Module calls this on its own pipeline thread, in the caller's runspace: written as its own
                // warning, -WarningAction and -WarningVariable given to it apply.
                if (CurrentCommand.Get() is PSCmdlet removing && removing.MyInvocation.MyCommand?.Name == "Remove-Module")
                {
                    removing.WriteWarning(message);
                }
                else
                {
                    MethodCallWarning.Write(message);
                }
            }
        }
    }
}

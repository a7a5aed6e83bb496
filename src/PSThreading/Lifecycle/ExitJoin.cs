using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Hosts;
using PSThreading.Pool;
using PSThreading.Runspaces;
using PSThreading.Terminal;
using PSThreading.Values;

namespace PSThreading.Lifecycle
{
    /// <summary>
    /// Python's exit rule: the process waits for non-daemon threads and not for daemon threads. A foreground .NET
    /// thread alone is not enough, because when pwsh's primary runspace closes it disposes every other runspace,
    /// which stops the workers mid-way, and waits for each one's pipeline, which a daemon inside a long .NET call
    /// would make last as long as that call. Both are handled from the primary runspace's PowerShell.Exiting
    /// event, which is raised before that disposal.
    /// </summary>
    internal static class ExitJoin
    {
        // A worker finishing its last second of work lets pwsh exit silently; a longer wait is named.
        private static readonly TimeSpan s_noticeDelay = TimeSpan.FromSeconds(1);
        // After Ctrl+C, how long stopped threads get to end before pwsh exits without them.
        private static readonly TimeSpan s_stopGrace = TimeSpan.FromMilliseconds(500);
        // Opening, preparing or cleaning a runspace takes milliseconds; past this the exit goes on regardless.
        private static readonly TimeSpan s_gateWait = TimeSpan.FromSeconds(2);
        // The join wakes this often to see threads started while it waits.
        private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);

        private static readonly ConcurrentDictionary<Guid, byte> s_registered = new ConcurrentDictionary<Guid, byte>();

        /// <summary>
        /// Subscribes the primary runspace once, whichever runspace the module is used from: only that runspace
        /// closing means the process is exiting, and a thread started anywhere (a pool item, another worker) is
        /// joined then. A hosted runspace closing must neither wait for nor stop threads.
        /// </summary>
        public static void EnsureRegistered(PSCmdlet caller) => EnsureRegistered(caller.Host);

        public static void EnsureRegistered(PSHost? host)
        {
            try
            {
                Runspace? primary = InteractiveRunspace.Primary(host);
                if (primary == null
                    || primary.RunspaceStateInfo.State != RunspaceState.Opened
                    || !s_registered.TryAdd(primary.InstanceId, 0))
                {
                    return;
                }

                primary.Events.SubscribeEvent(
                    source: null,
                    eventName: null,
                    sourceIdentifier: PSEngineEvent.Exiting,
                    data: null,
                    handlerDelegate: (sender, e) => OnExiting(),
                    supportEvent: true,
                    forwardEvent: false);
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is PSInvalidOperationException || ex is NullReferenceException)
            {
                // The primary runspace is closing or gone: the process is exiting and nothing is left to join from.
            }
        }

        private static void OnExiting()
        {
            try
            {
                // A worker waiting for a lock the main thread took would otherwise never end, and the join with it.
                ThreadRegistry.MainThread?.ReleaseAbandonedLocks(WorkerState.Stopped);
                // No join comes after the script: a worker's prompt would hold the exit forever.
                JoinerPrompt.FailUnanswered();
                JoinNonDaemonThreads();
                ShutdownGate.Close(s_gateWait);
                // Daemons are not stopped, only left behind: a stop waits for the pipeline to end, and one inside a
                // long .NET call would make that wait, and so the exit, as long as the call.
                EngineRunspaceList.Drop(RunspaceCache.IsWorkerRunspace);
            }
            catch (Exception)
            {
                // Whatever failed, the exit must go on: an exception from here would end pwsh with a crash.
            }
        }

        /// <summary>
        /// Waits until no non-daemon thread is alive, looking again each time one ends, so that threads started
        /// meanwhile (by a worker, by a pool item) are joined too. Ctrl+C stops them.
        /// </summary>
        private static void JoinNonDaemonThreads()
        {
            DateTime noticeAt = DateTime.UtcNow + s_noticeDelay;
            bool noticed = false;
            using (ExitCancelKey cancelKey = ExitCancelKey.Listen())
            {
                while (true)
                {
                    IReadOnlyList<WorkerThread> live = ThreadRegistry.LiveNonDaemonWorkers();
                    if (live.Count == 0)
                    {
                        return;
                    }

                    if (cancelKey.IsPressed)
                    {
                        StopAndLetGo();
                        return;
                    }

                    TimeSpan wait = s_poll;
                    if (!noticed)
                    {
                        TimeSpan untilNotice = noticeAt - DateTime.UtcNow;
                        if (untilNotice <= TimeSpan.Zero)
                        {
                            noticed = true;
                            WriteNotice(live);
                        }
                        else if (untilNotice < wait)
                        {
                            wait = untilNotice;
                        }
                    }

                    WaitForAnyEnd(live, cancelKey.PressedHandle, wait);
                }
            }
        }

        /// <summary>Ctrl+C: stops every non-daemon thread; one still running after a short grace no longer holds the exit.</summary>
        private static void StopAndLetGo()
        {
            DateTime deadline = DateTime.UtcNow + s_stopGrace;
            while (true)
            {
                IReadOnlyList<WorkerThread> live = ThreadRegistry.LiveNonDaemonWorkers();
                foreach (WorkerThread thread in live)
                {
                    thread.RequestStop();
                }

                TimeSpan left = deadline - DateTime.UtcNow;
                if (live.Count == 0 || left <= TimeSpan.Zero)
                {
                    foreach (WorkerThread survivor in live)
                    {
                        // Inside a .NET call a stop cannot reach: its foreground OS thread would keep the process alive.
                        survivor.LetProcessExitWithout();
                    }

                    return;
                }

                WaitForAnyEnd(live, null, left < s_poll ? left : s_poll);
            }
        }

        private static void WaitForAnyEnd(IReadOnlyList<WorkerThread> threads, WaitHandle? alsoWakeOn, TimeSpan timeout)
        {
            // WaitAny takes at most 64 handles; with more, the first ones are waited on and the poll sees the rest.
            var handles = new List<WaitHandle>(threads.Take(63).Select(t => t.EndedHandle));
            if (alsoWakeOn != null)
            {
                handles.Add(alsoWakeOn);
            }

            WaitHandle.WaitAny(handles.ToArray(), timeout);
        }

        private static void WriteNotice(IReadOnlyList<WorkerThread> waitedFor)
        {
            if (!SessionInteractivity.IsPersonAtConsole)
            {
                // The line is for a person who can press Ctrl+C; under CI, cron or a scheduler, stderr text is a failure.
                return;
            }

            string names = string.Join(", ", waitedFor.Select(t => JoinerPrompt.IsPrompting(t) ? $"{t.Name} (blocked at a prompt)" : t.Name));
            string them = waitedFor.Count == 1 ? "it" : "them";
            string threads = waitedFor.Count == 1 ? "thread" : "threads";
            try
            {
                // Standard error: the script's own output stays as it was, and a redirected run still shows why it waits.
                Console.Error.WriteLine(
                    $"PSThreading: PowerShell is waiting for non-daemon {threads} {names} to end before it exits. " +
                    $"Press Ctrl+C to stop {them}; start a thread with -Daemon if it should not hold the exit.");
            }
            catch (Exception)
            {
                // No standard error to write to: the wait goes on regardless.
            }
        }
    }
}

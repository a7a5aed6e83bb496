using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading;
using PSThreading.Engine;
using PSThreading.Lifecycle;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// Warm worker runspaces, kept per host and language mode (by the host's InstanceId: a worker's own host wrapper
    /// carries the id of the console host it wraps, so nested workers share the runspaces of the top-level ones;
    /// a ConstrainedLanguage caller never gets a FullLanguage runspace). Opening a runspace costs far more than
    /// cleaning one, so a worker takes one a finished worker gave back. A finished worker cleans its runspace
    /// after its join has returned; a taker that finds none idle but one being cleaned waits for it rather
    /// than opening a new one.
    /// </summary>
    internal static class RunspaceCache
    {
        // Enough for a burst of workers on a small machine without holding memory for long-gone peaks.
        private static readonly int s_maxIdlePerHost = Math.Max(4, Environment.ProcessorCount * 2);
        // Idle runspaces past this count (in the process) are closed once unused for DefaultIdleLifetime,
        // so a burst does not hold memory.
        private const int KeptIdle = 2;
        internal static readonly TimeSpan DefaultIdleLifetime = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan s_trimInterval = TimeSpan.FromSeconds(1);
        private static readonly object s_trimTimerSync = new object();
        // Runs only while some idle runspace could be trimmed: an idle process has no timer waking it every second.
        private static Timer? s_trimTimer;
        // Cleaning is quick; past this something is wrong and a new runspace is the better bet.
        private static readonly TimeSpan s_cleaningWait = TimeSpan.FromMilliseconds(100);
        private static readonly TimeSpan s_clearWait = TimeSpan.FromMilliseconds(500);
        private static readonly ConcurrentDictionary<RunspaceKey, HostRunspaces> s_byHost = new ConcurrentDictionary<RunspaceKey, HostRunspaces>();
        private static readonly ConcurrentDictionary<Guid, byte> s_workerRunspaceIds = new ConcurrentDictionary<Guid, byte>();

        /// <summary>A clean warm runspace for this host and language mode, or a new one opened on the calling thread.</summary>
        public static WorkerRunspace Take(PSHost host, PSLanguageMode languageMode)
        {
            // Inside the gate until the runspace is listed as ours, so that the exit finds every one it must drop.
            ShutdownGate.Enter();
            try
            {
                HostRunspaces runspaces = For(host, languageMode);
                WorkerRunspace? warm = runspaces.TakeIdle(s_cleaningWait, out bool waited);
                if (warm != null)
                {
                    if (waited)
                    {
                        OpenSpare(runspaces, host, languageMode);
                    }

                    return warm;
                }

                if (ShutdownGate.IsClosed)
                {
                    throw new OperationCanceledException("PowerShell is exiting: no new worker runspace is opened.");
                }

                WorkerRunspace opened = WorkerRunspace.Open(host, languageMode);
                s_workerRunspaceIds[opened.InstanceId] = 0;
                return opened;
            }
            finally
            {
                ShutdownGate.Leave();
            }
        }

        /// <summary>
        /// After a taker waited for a cleaning: workers follow one another faster than a runspace is cleaned (a
        /// start and join in a loop), and each waited for the last one's runspace. One more, opened beside them on
        /// a .NET pool thread, lets each take a clean runspace while the last one's is cleaned. Growth stops once
        /// no taker waits, and at the idle limit; the trim timer closes what a loop no longer uses.
        /// </summary>
        private static void OpenSpare(HostRunspaces runspaces, PSHost host, PSLanguageMode languageMode)
        {
            if (!runspaces.TryBeginSpare(s_maxIdlePerHost))
            {
                return;
            }

            ThreadPool.UnsafeQueueUserWorkItem(
                _ =>
                {
                    WorkerRunspace? opened = null;
                    try
                    {
                        if (ShutdownGate.TryEnter())
                        {
                            try
                            {
                                opened = WorkerRunspace.Open(host, languageMode);
                                s_workerRunspaceIds[opened.InstanceId] = 0;
                            }
                            finally
                            {
                                ShutdownGate.Leave();
                            }
                        }
                    }
                    catch (Exception)
                    {
                        // A spare that fails to open is no loss: takers go on as before.
                    }
                    finally
                    {
                        AfterEnd(runspaces.EndSpare(opened, s_maxIdlePerHost), opened);
                    }
                },
                null);
        }

        /// <summary>Announces that a used runspace will come back once cleaned (see <see cref="Return"/>).</summary>
        public static void BeginReturn(WorkerRunspace runspace) => For(runspace).BeginCleaning();

        /// <summary>Cleans a used runspace and makes it idle; one that is broken or over the limit is closed.</summary>
        public static void Return(WorkerRunspace runspace) => Return(runspace, s_maxIdlePerHost);

        /// <summary>
        /// As <see cref="Return(WorkerRunspace)"/>, keeping up to <paramref name="maxIdle"/> idle for the host
        /// (never fewer than the default): a pool call with a high throttle keeps its workers warm for the next call.
        /// </summary>
        public static void Return(WorkerRunspace runspace, int maxIdle)
        {
            HostRunspaces runspaces = For(runspace);
            if (!ShutdownGate.TryEnter())
            {
                // The process is exiting: cleaning would race pwsh's disposal of the runspace, and closing it here
                // would only slow the exit down. It is dropped as it is.
                runspaces.EndCleaning(null, 0);
                return;
            }

            bool clean = false;
            try
            {
                clean = runspace.IsUsable && runspace.TryClean();
            }
            finally
            {
                ShutdownGate.Leave();
                AfterEnd(runspaces.EndCleaning(clean ? runspace : null, Math.Max(maxIdle, s_maxIdlePerHost)), runspace);
            }
        }

        // After a cleaning or a spare's opening ended: a kept runspace may need trimming later, one not kept is closed.
        private static void AfterEnd(bool kept, WorkerRunspace? runspace)
        {
            if (kept)
            {
                StartTrimTimerIfNeeded();
            }
            else if (runspace != null)
            {
                Discard(runspace);
            }
        }

        /// <summary>
        /// Keeps this host's idle runspaces for <paramref name="lifetime"/> instead of the default before they
        /// may be closed: pool calls seconds apart then find all their workers' runspaces warm.
        /// </summary>
        public static void KeepIdleFor(PSHost host, PSLanguageMode languageMode, TimeSpan lifetime) => For(host, languageMode).IdleLifetime = lifetime;

        /// <summary>True for runspaces this module opened for its workers.</summary>
        public static bool IsWorkerRunspace(Guid instanceId) => s_workerRunspaceIds.ContainsKey(instanceId);

        public static int IdleCount
        {
            get
            {
                int count = 0;
                foreach (HostRunspaces runspaces in s_byHost.Values)
                {
                    count += runspaces.IdleCount;
                }

                return count;
            }
        }

        /// <summary>Closes every idle runspace and stops the trim timer (module removal).</summary>
        public static void Clear()
        {
            StopTrimTimer(whenNothingToTrim: false);
            // A worker that has just ended may still be cleaning its runspace: it would come back idle after this.
            DateTime deadline = DateTime.UtcNow + s_clearWait;
            foreach (HostRunspaces runspaces in s_byHost.Values)
            {
                runspaces.WaitForCleanings(deadline);
                foreach (WorkerRunspace idle in runspaces.TakeAllIdle())
                {
                    Discard(idle);
                }
            }

            // A cleaning that ended during the wait may have started the timer again as its runspace came back.
            StopTrimTimer(whenNothingToTrim: false);
        }

        /// <summary>
        /// Closes idle runspaces nobody took for a while, except the few most recently used in the whole
        /// process: hosts come and go (every hosted PowerShell has its own), so the few kept are counted once.
        /// </summary>
        internal static void TrimIdle()
        {
            var returned = new List<DateTime>();
            foreach (HostRunspaces runspaces in s_byHost.Values)
            {
                returned.AddRange(runspaces.IdleSince());
            }

            if (returned.Count <= KeptIdle)
            {
                StopTrimTimer(whenNothingToTrim: true);
                return;
            }

            returned.Sort();
            DateTime newestKept = returned[returned.Count - KeptIdle];
            DateTime now = DateTime.UtcNow;
            foreach (HostRunspaces runspaces in s_byHost.Values)
            {
                DateTime lifetimeStart = now - runspaces.IdleLifetime;
                DateTime unusedSince = newestKept < lifetimeStart ? newestKept : lifetimeStart;
                foreach (WorkerRunspace stale in runspaces.TakeStale(unusedSince))
                {
                    Discard(stale);
                }
            }
        }

        private static HostRunspaces For(PSHost host, PSLanguageMode languageMode)
            => s_byHost.GetOrAdd(new RunspaceKey(host.InstanceId, languageMode), _ => new HostRunspaces());

        private static HostRunspaces For(WorkerRunspace runspace) => For(runspace.Host, runspace.LanguageMode);

        private static void StartTrimTimerIfNeeded()
        {
            lock (s_trimTimerSync)
            {
                if (s_trimTimer == null && IdleCount > KeptIdle)
                {
                    s_trimTimer = new Timer(_ => TrimIdle(), null, s_trimInterval, s_trimInterval);
                }
            }
        }

        private static void StopTrimTimer(bool whenNothingToTrim)
        {
            lock (s_trimTimerSync)
            {
                // Counted under the timer's lock: a runspace returned meanwhile starts the timer again after this.
                if (s_trimTimer != null && (!whenNothingToTrim || IdleCount <= KeptIdle))
                {
                    s_trimTimer.Dispose();
                    s_trimTimer = null;
                }
            }
        }

        private static void Discard(WorkerRunspace runspace)
        {
            s_workerRunspaceIds.TryRemove(runspace.InstanceId, out _);
            try
            {
                runspace.Dispose();
            }
            catch (Exception)
            {
                // A runspace that fails to close is already unusable; nothing more to free.
            }
        }

        private readonly struct RunspaceKey : IEquatable<RunspaceKey>
        {
            private readonly Guid _hostId;
            private readonly PSLanguageMode _languageMode;

            public RunspaceKey(Guid hostId, PSLanguageMode languageMode)
            {
                _hostId = hostId;
                _languageMode = languageMode;
            }

            public bool Equals(RunspaceKey other) => _hostId == other._hostId && _languageMode == other._languageMode;

            public override bool Equals(object? obj) => obj is RunspaceKey other && Equals(other);

            public override int GetHashCode() => _hostId.GetHashCode() ^ (int)_languageMode;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PSThreading.Lifecycle;

namespace PSThreading.Processes
{
    /// <summary>
    /// The warm worker processes of this pwsh: a call takes idle ones (the most recently used first) and gives them
    /// back cleaned, so the next call pays no cold start. At most <see cref="MaxWarm"/> stay idle, each for
    /// <see cref="IdleLifetime"/>; every child is killed when this process exits (and ends by itself if this
    /// process is killed: see <see cref="ParentWatch"/>).
    /// </summary>
    internal sealed class ProcessPool : IRemotePlaces
    {
        public static readonly ProcessPool Places = new ProcessPool();

        /// <summary>Idle processes kept warm at most: each holds a pwsh's memory.</summary>
        public const int MaxWarm = 8;

        /// <summary>How long an idle process waits for the next call before it ends (documented in the help).</summary>
        public static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(60);

        private static readonly TimeSpan s_trimInterval = TimeSpan.FromSeconds(5);

        private readonly object _sync = new object();
        // Most recently returned last.
        private readonly List<ChildProcess> _idle = new List<ChildProcess>();
        private readonly HashSet<ChildProcess> _all = new HashSet<ChildProcess>();
        private Timer? _trimTimer;
        private int _exitHooked;

        private ProcessPool()
        {
        }

        /// <summary>Idle warm processes now.</summary>
        public int IdleCount
        {
            get
            {
                lock (_sync)
                {
                    return _idle.Count;
                }
            }
        }

        public RemoteRunspace Take(PSLanguageMode languageMode)
        {
            HookExit();
            lock (_sync)
            {
                for (int i = _idle.Count - 1; i >= 0; i--)
                {
                    ChildProcess warm = _idle[i];
                    if (warm.LanguageMode != languageMode)
                    {
                        continue;
                    }

                    _idle.RemoveAt(i);
                    if (!warm.IsLost)
                    {
                        return warm;
                    }

                    _all.Remove(warm);
                    warm.Abandon();
                }
            }

            if (ShutdownGate.IsClosed)
            {
                throw new OperationCanceledException("PowerShell is exiting: no worker process is started.");
            }

            ChildProcess started = ChildProcess.Start(languageMode);
            lock (_sync)
            {
                _all.Add(started);
            }

            return started;
        }

        public void Return(RemoteRunspace place, bool keep)
        {
            var child = (ChildProcess)place;
            bool kept = keep && !child.IsLost && !ShutdownGate.IsClosed && child.Baseline != null && child.Baseline.TryClean(child.Runspace);
            lock (_sync)
            {
                if (kept && _idle.Count < MaxWarm)
                {
                    child.IdleSince = DateTime.UtcNow;
                    _idle.Add(child);
                    _trimTimer ??= new Timer(_ => TrimIdle(), null, s_trimInterval, s_trimInterval);
                    return;
                }

                _all.Remove(child);
            }

            child.Close();
        }

        /// <summary>Closes every idle process (Remove-Module).</summary>
        public void CloseIdle()
        {
            List<ChildProcess> idle;
            lock (_sync)
            {
                idle = _idle.ToList();
                _idle.Clear();
                foreach (ChildProcess child in idle)
                {
                    _all.Remove(child);
                }

                StopTrimTimer();
            }

            foreach (ChildProcess child in idle)
            {
                child.Close();
            }
        }

        /// <summary>The ids of every worker process alive, idle or busy (for diagnostics and tests).</summary>
        public int[] ProcessIds()
        {
            lock (_sync)
            {
                return _all.Where(c => !c.IsLost).Select(c => c.Id).ToArray();
            }
        }

        private void TrimIdle()
        {
            var stale = new List<ChildProcess>();
            lock (_sync)
            {
                DateTime before = DateTime.UtcNow - IdleLifetime;
                for (int i = _idle.Count - 1; i >= 0; i--)
                {
                    if (_idle[i].IdleSince < before || _idle[i].IsLost)
                    {
                        stale.Add(_idle[i]);
                        _all.Remove(_idle[i]);
                        _idle.RemoveAt(i);
                    }
                }

                if (_idle.Count == 0)
                {
                    StopTrimTimer();
                }
            }

            foreach (ChildProcess child in stale)
            {
                child.Close();
            }
        }

        private void StopTrimTimer()
        {
            _trimTimer?.Dispose();
            _trimTimer = null;
        }

        private void HookExit()
        {
            if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
            {
                // Killed, not closed: closing waits on each child, and a child stuck in a .NET call would hold the exit.
                AppDomain.CurrentDomain.ProcessExit += (sender, e) => KillAll();
            }
        }

        private void KillAll()
        {
            List<ChildProcess> all;
            lock (_sync)
            {
                all = _all.ToList();
                _all.Clear();
                _idle.Clear();
            }

            foreach (ChildProcess child in all)
            {
                child.KillAtExit();
            }
        }
    }
}

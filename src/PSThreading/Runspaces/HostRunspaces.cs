using System;
using System.Collections.Generic;
using System.Threading;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// The idle runspaces of one host and language mode, and the count of those being cleaned (or opened as a
    /// spare: both come back idle soon).
    /// </summary>
    internal sealed class HostRunspaces
    {
        private readonly object _sync = new object();
        // Most recently returned last: takers get the warmest, trimming removes the coldest.
        private readonly List<IdleRunspace> _idle = new List<IdleRunspace>();
        private int _cleaning;
        private bool _spareOpening;

        /// <summary>How long an idle runspace of this host may wait for a taker before it may be closed.</summary>
        public TimeSpan IdleLifetime { get; set; } = RunspaceCache.DefaultIdleLifetime;

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

        /// <summary>
        /// The warmest idle runspace, waiting up to <paramref name="waitForCleaning"/> for one being cleaned when
        /// none is idle; <paramref name="waited"/> says whether the taker had to wait.
        /// </summary>
        public WorkerRunspace? TakeIdle(TimeSpan waitForCleaning, out bool waited)
        {
            waited = false;
            DateTime deadline = DateTime.UtcNow + waitForCleaning;
            lock (_sync)
            {
                while (true)
                {
                    while (_idle.Count > 0)
                    {
                        WorkerRunspace warm = _idle[_idle.Count - 1].Runspace;
                        _idle.RemoveAt(_idle.Count - 1);
                        if (warm.IsUsable)
                        {
                            return warm;
                        }
                    }

                    TimeSpan left = deadline - DateTime.UtcNow;
                    if (_cleaning == 0 || left <= TimeSpan.Zero)
                    {
                        return null;
                    }

                    waited = true;
                    Monitor.Wait(_sync, left);
                }
            }
        }

        /// <summary>
        /// Claims the opening of one spare runspace, counted as a cleaning until <see cref="EndCleaning"/>:
        /// false while one is being opened already, or when the host keeps <paramref name="maxIdle"/> idle.
        /// </summary>
        public bool TryBeginSpare(int maxIdle)
        {
            lock (_sync)
            {
                if (_spareOpening || _idle.Count + _cleaning >= maxIdle)
                {
                    return false;
                }

                _spareOpening = true;
                _cleaning++;
                return true;
            }
        }

        /// <summary>Ends the opening of a spare: <paramref name="opened"/> (null when it failed) is kept as <see cref="EndCleaning"/> keeps one.</summary>
        public bool EndSpare(WorkerRunspace? opened, int maxIdle)
        {
            lock (_sync)
            {
                _spareOpening = false;
            }

            return EndCleaning(opened, maxIdle);
        }

        /// <summary>Waits, up to <paramref name="deadline"/>, until no runspace of this host is being cleaned.</summary>
        public void WaitForCleanings(DateTime deadline)
        {
            lock (_sync)
            {
                while (_cleaning > 0)
                {
                    TimeSpan left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero)
                    {
                        return;
                    }

                    Monitor.Wait(_sync, left);
                }
            }
        }

        public void BeginCleaning()
        {
            lock (_sync)
            {
                _cleaning++;
            }
        }

        /// <summary>Ends one cleaning; returns false when the runspace was not kept and must be closed.</summary>
        public bool EndCleaning(WorkerRunspace? cleaned, int maxIdle)
        {
            lock (_sync)
            {
                _cleaning--;
                bool kept = cleaned != null && _idle.Count < maxIdle;
                if (kept)
                {
                    _idle.Add(new IdleRunspace(cleaned!, DateTime.UtcNow));
                }

                Monitor.PulseAll(_sync);
                return kept;
            }
        }

        public List<WorkerRunspace> TakeAllIdle() => TakeStale(DateTime.MaxValue);

        public List<DateTime> IdleSince()
        {
            lock (_sync)
            {
                return _idle.ConvertAll(idle => idle.Since);
            }
        }

        /// <summary>Removes the idle runspaces returned before <paramref name="unusedSince"/>.</summary>
        public List<WorkerRunspace> TakeStale(DateTime unusedSince)
        {
            var stale = new List<WorkerRunspace>();
            lock (_sync)
            {
                while (_idle.Count > 0 && _idle[0].Since < unusedSince)
                {
                    stale.Add(_idle[0].Runspace);
                    _idle.RemoveAt(0);
                }
            }

            return stale;
        }

        private readonly struct IdleRunspace
        {
            public IdleRunspace(WorkerRunspace runspace, DateTime since)
            {
                Runspace = runspace;
                Since = since;
            }

            public WorkerRunspace Runspace { get; }

            public DateTime Since { get; }
        }
    }
}

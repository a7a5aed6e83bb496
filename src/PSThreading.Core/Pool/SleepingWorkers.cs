using System.Collections.Generic;
using System.Threading;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// The pool workers that found nothing to take, each asleep on a signal of its own until it is given a
    /// reason to look again: an idle pool costs no CPU (a timed poll of a few dozen workers cost more than
    /// half a core) and one new item wakes exactly one worker (a PulseAll would wake them all to compete for it).
    /// </summary>
    /// <remarks>Not thread-safe except <see cref="Sleeper.Sleep"/>: its owner calls the rest under its own lock.</remarks>
    internal sealed class SleepingWorkers
    {
        // Last in, first woken: the worker that went to sleep last has the warmest caches.
        private readonly List<Sleeper> _sleeping = new List<Sleeper>();

        public int Count => _sleeping.Count;

        /// <summary>Lists a worker as asleep; it then calls <see cref="Sleeper.Sleep"/> outside the owner's lock.</summary>
        public Sleeper Add()
        {
            var sleeper = new Sleeper();
            _sleeping.Add(sleeper);
            return sleeper;
        }

        /// <summary>Takes a worker off the list that woke by itself (its cancellation token), if it is still there.</summary>
        public void Remove(Sleeper sleeper)
        {
            int last = _sleeping.Count - 1;
            if (last >= 0 && ReferenceEquals(_sleeping[last], sleeper))
            {
                _sleeping.RemoveAt(last);
            }
            else
            {
                _sleeping.Remove(sleeper);
            }
        }

        /// <summary>Wakes the worker that went to sleep last; false when none sleeps.</summary>
        public bool WakeOne()
        {
            int last = _sleeping.Count - 1;
            if (last < 0)
            {
                return false;
            }

            Sleeper sleeper = _sleeping[last];
            _sleeping.RemoveAt(last);
            sleeper.Wake();
            return true;
        }

        public void WakeAll()
        {
            foreach (Sleeper sleeper in _sleeping)
            {
                sleeper.Wake();
            }

            _sleeping.Clear();
        }

        /// <summary>One sleep of one worker: woken once, by its owner or by the worker's cancellation token.</summary>
        internal sealed class Sleeper
        {
            private readonly object _gate = new object();
            private bool _woken;

            public void Wake()
            {
                lock (_gate)
                {
                    _woken = true;
                    Monitor.Pulse(_gate);
                }
            }

            /// <summary>Blocks until woken or until <paramref name="cancellationToken"/> is cancelled; no timed wake-ups.</summary>
            public void Sleep(CancellationToken cancellationToken) => Sleep(cancellationToken, long.MaxValue);

            /// <summary>As <see cref="Sleep(CancellationToken)"/>, and at the latest until <paramref name="wakeAt"/> (a Stopwatch timestamp; long.MaxValue: none).</summary>
            public void Sleep(CancellationToken cancellationToken, long wakeAt)
            {
                CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
                    ? cancellationToken.Register(state => ((Sleeper)state!).Wake(), this)
                    : default;
                try
                {
                    lock (_gate)
                    {
                        while (!_woken)
                        {
                            if (wakeAt == long.MaxValue)
                            {
                                Monitor.Wait(_gate);
                            }
                            else if (System.Diagnostics.Stopwatch.GetTimestamp() >= wakeAt || !Monitor.Wait(_gate, Sync.WaitTimeout.MillisecondsLeft(wakeAt)))
                            {
                                // Woken by its time: the owner still lists it asleep until it removes itself.
                                break;
                            }
                        }
                    }
                }
                finally
                {
                    registration.Dispose();
                }
            }
        }
    }
}

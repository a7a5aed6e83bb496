using System;
using System.Threading;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Python's <c>threading.Event</c>: a flag that threads wait for. <see cref="Set"/> releases every waiter
    /// and lets later waits through at once until <see cref="Clear"/>.
    /// </summary>
    public sealed class ThreadEvent : SyncObject
    {
        private bool _isSet;
        // Counts sets, so that a waiter woken by a set still returns true when a clear came before it ran.
        private long _setCount;

        internal ThreadEvent(string? name = null, bool isSet = false)
            : base(name, "Event")
        {
            _isSet = isSet;
        }

        public override string Kind => "Event";

        public override string State => IsSet ? "set" : "clear";

        public bool IsSet
        {
            get
            {
                lock (Sync)
                {
                    return _isSet;
                }
            }
        }

        /// <summary>Sets the flag: every waiter goes on, and so does every wait until <see cref="Clear"/>.</summary>
        public void Set()
        {
            lock (Sync)
            {
                if (!_isSet)
                {
                    _isSet = true;
                    _setCount++;
                    WakeWaiters();
                }
            }
        }

        /// <summary>Clears the flag: waits block again until the next <see cref="Set"/>.</summary>
        public void Clear()
        {
            lock (Sync)
            {
                _isSet = false;
            }
        }

        /// <summary>Waits without limit until the flag is set. Returns true (for Python's <c>wait()</c>).</summary>
        public bool Wait() => Wait(null, CancellationToken.None);

        /// <summary>Waits at most <paramref name="seconds"/>: true when set, false at the timeout.</summary>
        public bool Wait(double seconds) => Wait(WaitTimeout.FromSeconds(seconds, "Wait()"), CancellationToken.None);

        /// <summary>Waits at most <paramref name="timeout"/> (null: no limit) until the flag is set.</summary>
        internal bool Wait(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            long seenSets = -1;
            return WaitUntil(
                () =>
                {
                    if (seenSets < 0)
                    {
                        seenSets = _setCount;
                    }

                    return _isSet || _setCount != seenSets;
                },
                timeout,
                cancellationToken);
        }
    }
}

using System;
using System.Globalization;
using System.Threading;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Python's <c>threading.Barrier</c>: <see cref="Parties"/> threads wait until all of them have arrived,
    /// then all go on and the barrier is ready for the next round. A wait that times out or is stopped, and
    /// <see cref="Abort"/>, break it: every waiter fails with BarrierBroken, as does every later wait until
    /// <see cref="Reset"/>.
    /// </summary>
    public sealed class ThreadBarrier : SyncObject
    {
        private Round _round = new Round();
        private int _arrived;
        private bool _isBroken;

        internal ThreadBarrier(int parties, TimeSpan? timeout = null, string? name = null)
            : base(name, "Barrier")
        {
            if (parties < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(parties), parties, "A barrier needs 1 or more parties: the threads that wait for each other.");
            }

            Parties = parties;
            Timeout = timeout;
        }

        public override string Kind => "Barrier";

        public override string State
        {
            get
            {
                lock (Sync)
                {
                    return _isBroken ? "broken" : string.Format(CultureInfo.InvariantCulture, "{0} of {1} waiting", _arrived, Parties);
                }
            }
        }

        /// <summary>How many threads must arrive for all to go on.</summary>
        public int Parties { get; }

        /// <summary>The timeout of <see cref="Wait()"/> (null: none), as given to New-ThreadBarrier -Timeout.</summary>
        public TimeSpan? Timeout { get; }

        /// <summary>The threads waiting in this round.</summary>
        public int Waiting
        {
            get
            {
                lock (Sync)
                {
                    return _arrived;
                }
            }
        }

        public bool IsBroken
        {
            get
            {
                lock (Sync)
                {
                    return _isBroken;
                }
            }
        }

        /// <summary>Waits for the other parties, at most the barrier's own timeout. Returns the arrival index, 0 to Parties-1.</summary>
        public int Wait() => Wait(Timeout, CancellationToken.None);

        /// <summary>Waits for the other parties at most <paramref name="seconds"/>; then the barrier breaks.</summary>
        public int Wait(double seconds) => Wait(WaitTimeout.FromSeconds(seconds, "Wait()"), CancellationToken.None);

        internal int Wait(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            Round round;
            int index;
            lock (Sync)
            {
                ThrowIfBroken();
                round = _round;
                index = _arrived++;
                if (_arrived == Parties)
                {
                    round.IsReleased = true;
                    StartRound();
                    return index;
                }
            }

            bool passed = false;
            try
            {
                passed = WaitUntil(
                    () =>
                    {
                        if (round.IsBroken)
                        {
                            throw Broken("it was broken while this thread waited (a wait timed out or was stopped, or Abort() or Reset() was called)");
                        }

                        return round.IsReleased;
                    },
                    timeout,
                    cancellationToken);
            }
            finally
            {
                if (!passed)
                {
                    // This thread leaves the round early (timeout, stop): the others would wait for it forever.
                    lock (Sync)
                    {
                        if (ReferenceEquals(_round, round) && !round.IsReleased)
                        {
                            Break();
                        }
                    }
                }
            }

            if (!passed)
            {
                throw Broken($"a wait timed out after {timeout?.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds, before all {Parties} parties arrived");
            }

            return index;
        }

        /// <summary>Breaks the barrier: waiters fail with BarrierBroken now, later waits until <see cref="Reset"/>.</summary>
        public void Abort()
        {
            lock (Sync)
            {
                Break();
            }
        }

        /// <summary>Back to the start, unbroken. Threads waiting now fail with BarrierBroken.</summary>
        public void Reset()
        {
            lock (Sync)
            {
                if (_arrived > 0)
                {
                    _round.IsBroken = true;
                }

                _isBroken = false;
                StartRound();
            }
        }

        private void Break()
        {
            _isBroken = true;
            _round.IsBroken = true;
            StartRound();
        }

        private void StartRound()
        {
            _round = new Round();
            _arrived = 0;
            WakeWaiters();
        }

        private void ThrowIfBroken()
        {
            if (_isBroken)
            {
                throw Broken("it is broken (a wait timed out or was stopped, or Abort() was called)");
            }
        }

        private BarrierBrokenException Broken(string why) => new BarrierBrokenException(this,
            $"Barrier '{Name}' cannot be passed: {why}. Call Reset() to use it again, once every party is ready to wait anew.");

        private sealed class Round
        {
            public bool IsReleased { get; set; }

            public bool IsBroken { get; set; }
        }
    }
}

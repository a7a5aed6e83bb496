using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using PSThreading.Core.Sync;

namespace PSThreading.Core.RateLimits
{
    /// <summary>
    /// A budget of starts shared by every thread, runspace and pool call that holds it: no window of
    /// <see cref="Period"/> seconds lets more than <see cref="Limit"/> permits through (an exact sliding window,
    /// see <see cref="StartWindow"/>). A permit is not given back: it is one start, used up. Its waits are module
    /// waits: Get-ActiveThread shows "waiting for rate limiter NAME", and Ctrl+C, Stop-WorkerThread and an item's
    /// timeout end them.
    /// </summary>
    public sealed class ThreadRateLimiter : SyncObject
    {
        private readonly StartWindow _window;

        internal ThreadRateLimiter(int limit, double periodSeconds, string? name = null)
            : base(name, "RateLimiter")
        {
            if (limit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(limit), limit, "A rate limiter lets 1 or more starts through per period.");
            }

            if (double.IsNaN(periodSeconds) || periodSeconds <= 0 || periodSeconds > WaitTimeout.LongestSeconds)
            {
                throw new ArgumentOutOfRangeException(nameof(periodSeconds), periodSeconds, "A rate period is a number of seconds above 0.");
            }

            _window = new StartWindow(limit, TimeSpan.FromSeconds(periodSeconds));
            Period = periodSeconds;
        }

        /// <summary>The most permits any window of <see cref="Period"/> seconds gives.</summary>
        public int Limit => _window.Limit;

        /// <summary>The window's length in seconds.</summary>
        public double Period { get; }

        /// <summary>"Rate limiter": what Get-ActiveThread names after "waiting for".</summary>
        public override string Kind => "Rate limiter";

        /// <inheritdoc/>
        public override string State
        {
            get
            {
                lock (Sync)
                {
                    long now = Stopwatch.GetTimestamp();
                    string state = string.Format(CultureInfo.InvariantCulture, "{0} of {1} in the last {2} s", _window.CountAt(now), Limit, Period);
                    return now < _window.PausedUntil
                        ? state + string.Format(CultureInfo.InvariantCulture, ", paused {0:0.#} s more", (_window.PausedUntil - now) / (double)Stopwatch.Frequency)
                        : state;
                }
            }
        }

        /// <summary>Permits given in the window that ends now.</summary>
        public int CurrentCount
        {
            get
            {
                lock (Sync)
                {
                    return _window.CountAt(Stopwatch.GetTimestamp());
                }
            }
        }

        /// <summary>Takes a permit if one is free now; never waits.</summary>
        public bool TryAcquire() => TryAcquire(out _);

        /// <summary>Blocks until a permit is free and takes it. Returns true.</summary>
        public bool Wait() => Wait(null, CancellationToken.None);

        /// <summary>Waits at most <paramref name="seconds"/> for a permit (-1: no limit): false when none came in time.</summary>
        public bool Wait(double seconds) => Wait(WaitTimeout.FromSeconds(seconds, "Wait()"), CancellationToken.None);

        /// <summary>Waits at most <paramref name="timeout"/> (null: no limit) for a permit.</summary>
        internal bool Wait(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            long nextChance = 0;
            return WaitUntil(() => _window.TryTake(Stopwatch.GetTimestamp(), out nextChance), timeout, cancellationToken, () => nextChance);
        }

        /// <summary>Takes a permit now, or says when the next may be free (a Stopwatch timestamp): what a pool asks before an item starts.</summary>
        internal bool TryAcquire(out long nextChance) => TryAcquire(out nextChance, out _);

        /// <summary>As <see cref="TryAcquire(out long)"/>, with the permit for <see cref="MarkStarted"/>.</summary>
        internal bool TryAcquire(out long nextChance, out StartEntry? permit)
        {
            lock (Sync)
            {
                return _window.TryTake(Stopwatch.GetTimestamp(), out nextChance, out permit);
            }
        }

        /// <summary>
        /// A pool item's code starts now: its permit counts from now plus a guard of 4% of the period (at most
        /// 40 ms), for the jitter between here and its first request that no worker can time (a block's first
        /// run compiles it; threads wait for a core). Measured on 2 loaded cores against a loopback server: an
        /// item's request arrived 0-30 ms after its code started; with a 20 ms guard the server once saw 6 requests
        /// in one second at a limit of 5.
        /// </summary>
        internal void MarkStarted(StartEntry permit)
        {
            lock (Sync)
            {
                StartWindow.MoveLater(permit, Stopwatch.GetTimestamp() + Guard);
            }
        }

        /// <summary>
        /// The permit's start counts from a moment still to come, whatever it takes (a pool worker's first item,
        /// whose code pays costs no worker can time): it keeps its place in the window until <see cref="MarkEnded"/>.
        /// </summary>
        internal void HoldUntilEnded(StartEntry permit)
        {
            lock (Sync)
            {
                StartWindow.Hold(permit);
            }
        }

        /// <summary>The held permit's item ended: it counts from now, and waiters look again.</summary>
        internal void MarkEnded(StartEntry permit)
        {
            lock (Sync)
            {
                StartWindow.Settle(permit, Stopwatch.GetTimestamp() + Guard);
                WakeWaiters();
            }
        }

        // 4% of the period, at most 40 ms (see MarkStarted).
        private long Guard => Math.Min(_window.PeriodTicks / 25, Stopwatch.Frequency / 25);

        /// <summary>
        /// Holds every permit back for <paramref name="delay"/> (a server's Retry-After): every holder pauses, not
        /// only the one told. A longer pause already asked for is kept.
        /// </summary>
        internal void Pause(TimeSpan delay)
        {
            long until = WaitTimeout.Deadline(delay);
            lock (Sync)
            {
                _window.PauseUntil(until);
            }
        }
    }
}

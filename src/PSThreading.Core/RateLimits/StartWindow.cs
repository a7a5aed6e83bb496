using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace PSThreading.Core.RateLimits
{
    /// <summary>
    /// An exact sliding window of starts: no span of <see cref="PeriodTicks"/> holds more than <see cref="Limit"/>
    /// of them. It keeps the time of each start still inside the window (at most <see cref="Limit"/>, and never
    /// more than the starts of one period, so a huge limit costs no memory up front) and lets a start through
    /// when fewer than the limit are inside. Not thread-safe: its owner calls it under its own lock.
    /// </summary>
    /// <remarks>
    /// Not System.Threading.RateLimiting's SlidingWindowRateLimiter: its window moves by whole segments on a timer,
    /// so a permit taken late in a segment comes back up to a segment early. Measured here (limit 5 a second,
    /// starts every 70 ms): 8, 7, 6 and 6 starts inside one second with 1, 4, 10 and 50 segments.
    /// </remarks>
    internal sealed class StartWindow
    {
        /// <summary>The time of a start that counts from a moment still to come (see <see cref="Hold"/>): never forgotten before it is settled.</summary>
        public const long Pending = long.MaxValue / 4;

        // How soon a start kept back by a held one looks again (see TryTake): 20 ms, only while one is held.
        private static readonly long HeldPollTicks = Stopwatch.Frequency / 50;

        private readonly Queue<StartEntry> _starts = new Queue<StartEntry>();
        private long _pausedUntil;

        public StartWindow(int limit, TimeSpan period)
        {
            if (limit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(limit), limit, "A rate limit is 1 or more starts per period.");
            }

            if (!(period > TimeSpan.Zero))
            {
                throw new ArgumentOutOfRangeException(nameof(period), period, "A rate period is longer than zero.");
            }

            Limit = limit;
            PeriodTicks = (long)Math.Min(period.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 4.0);
        }

        public int Limit { get; }

        /// <summary>The window's length in <see cref="Stopwatch"/> ticks.</summary>
        public long PeriodTicks { get; }

        /// <summary>Starts inside the window that ends at <paramref name="now"/>.</summary>
        public int CountAt(long now)
        {
            Forget(now);
            return _starts.Count;
        }

        /// <summary>
        /// Takes a start at <paramref name="now"/> if the window has room and no pause holds; else
        /// <paramref name="nextChance"/> is the earliest timestamp at which one may pass.
        /// </summary>
        public bool TryTake(long now, out long nextChance) => TryTake(now, out nextChance, out _);

        /// <summary>As <see cref="TryTake(long, out long)"/>, giving the start's entry for <see cref="MoveLater"/>.</summary>
        public bool TryTake(long now, out long nextChance, out StartEntry? taken)
        {
            taken = null;
            if (now < _pausedUntil)
            {
                nextChance = _pausedUntil;
                return false;
            }

            Forget(now);
            if (_starts.Count < Limit)
            {
                taken = new StartEntry(now);
                _starts.Enqueue(taken);
                nextChance = now;
                return true;
            }

            long oldest = _starts.Peek().At;
            // A held start (a worker's first item, counted from its end) has no time to wait for. Its end wakes the
            // workers of its own call, but not those of another call sharing the limiter: they look again soon.
            nextChance = oldest >= Pending ? now + Math.Min(PeriodTicks, HeldPollTicks) : oldest + PeriodTicks;
            return false;
        }

        /// <summary>
        /// The start really happened at <paramref name="now"/>, later than its permit (a pool item's code starts a
        /// moment after its worker took the permit, longer on a loaded machine): the window counts it from then, so
        /// the starts a server sees are a period apart, not only the permits. Entries may then be out of order:
        /// the window only forgets later, never earlier.
        /// </summary>
        public static void MoveLater(StartEntry entry, long now)
        {
            if (now > entry.At)
            {
                entry.At = now;
            }
        }

        /// <summary>The start counts from a moment still to come: it stays in the window until <see cref="Settle"/>.</summary>
        public static void Hold(StartEntry entry) => entry.At = Pending;

        /// <summary>A held start counts from <paramref name="at"/>.</summary>
        public static void Settle(StartEntry entry, long at)
        {
            if (entry.At == Pending)
            {
                entry.At = at;
            }
        }

        /// <summary>No start passes before <paramref name="until"/> (a server's Retry-After); an earlier pause is kept if longer.</summary>
        public void PauseUntil(long until)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }

        /// <summary>The timestamp before which nothing starts; 0 when no pause was asked.</summary>
        public long PausedUntil => _pausedUntil;

        private void Forget(long now)
        {
            // A start exactly one period ago has left the window: [now - period, now) holds the rest.
            while (_starts.Count > 0 && now - _starts.Peek().At >= PeriodTicks)
            {
                _starts.Dequeue();
            }
        }
    }

    /// <summary>One start in a <see cref="StartWindow"/>: when it counts from.</summary>
    internal sealed class StartEntry
    {
        public StartEntry(long at)
        {
            At = at;
        }

        public long At { get; set; }
    }
}

using System;
using System.Diagnostics;
using System.Globalization;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// The one timeout rule of the module, for every method that waits (locks, semaphores, events, conditions,
    /// barriers, queues) and every cmdlet's -Timeout and -ItemTimeout: seconds, fractions allowed, 0 does not
    /// wait; -1 means no limit, as .NET's Timeout.Infinite, <c>Wait-Job -Timeout -1</c> and Python's
    /// <c>acquire(timeout=-1)</c> do; a value too long to pass (more than <see cref="LongestSeconds"/>, or
    /// +Infinity) means no limit too; any other negative value, and NaN, is an InvalidTimeout error.
    /// </summary>
    internal static class WaitTimeout
    {
        /// <summary>The timeout that asks for no limit.</summary>
        public const double NoLimitSeconds = -1;

        /// <summary>
        /// The longest timed wait: [int]::MaxValue seconds, about 68 years. A longer one could never pass, and
        /// its deadline in Stopwatch ticks (1 ns on Linux) would come near overflowing a long.
        /// </summary>
        public const double LongestSeconds = int.MaxValue;

        /// <summary>The wait <paramref name="seconds"/> stands for (null: no limit); false when the rule refuses it.</summary>
        public static bool TryFromSeconds(double seconds, out TimeSpan? limit)
        {
            limit = null;
            if (double.IsNaN(seconds) || (seconds < 0 && seconds != NoLimitSeconds))
            {
                return false;
            }

            if (seconds >= 0 && seconds <= LongestSeconds)
            {
                limit = TimeSpan.FromSeconds(seconds);
            }

            return true;
        }

        /// <summary>A method's timeout: the wait it stands for (null: no limit), or an InvalidTimeout error naming the untimed call.</summary>
        public static TimeSpan? FromSeconds(double seconds, string untimedCall)
        {
            if (!TryFromSeconds(seconds, out TimeSpan? limit))
            {
                throw Invalid(seconds, "timeout", untimedCall);
            }

            return limit;
        }

        /// <summary>A timeout given as a TimeSpan, as the cmdlets and the module pass it: negative is refused.</summary>
        public static void ThrowIfNegative(TimeSpan? timeout, string untimedCall)
        {
            if (timeout.HasValue && timeout.Value < TimeSpan.Zero)
            {
                throw Invalid(timeout.Value.TotalSeconds, "timeout", untimedCall);
            }
        }

        /// <summary>The InvalidTimeout error for <paramref name="seconds"/> given as <paramref name="what"/> (the timeout, -Timeout).</summary>
        public static InvalidTimeoutException Invalid(double seconds, string what, string? untimedCall)
        {
            string untimed = untimedCall == null ? string.Empty : $" (as {untimedCall} with no timeout does)";
            return new InvalidTimeoutException(
                $"The {what} {seconds.ToString(CultureInfo.InvariantCulture)} is not valid. Give the seconds to wait as 0 or more " +
                $"(fractions such as 0.5 are allowed; 0 does not wait), or -1 to wait without limit{untimed}.");
        }

        /// <summary>The Stopwatch timestamp at which a wait of <paramref name="timeout"/> begun now ends (long.MaxValue: never).</summary>
        public static long Deadline(TimeSpan? timeout)
        {
            if (!timeout.HasValue)
            {
                return long.MaxValue;
            }

            double ticks = Math.Min(timeout.Value.TotalSeconds, LongestSeconds) * Stopwatch.Frequency;
            long now = Stopwatch.GetTimestamp();
            return ticks >= long.MaxValue - (double)now ? long.MaxValue : now + (long)ticks;
        }

        /// <summary>The time left until <paramref name="deadline"/>, zero once it has passed; null for no deadline.</summary>
        public static TimeSpan? TimeLeft(long deadline)
        {
            if (deadline == long.MaxValue)
            {
                return null;
            }

            long ticks = deadline - Stopwatch.GetTimestamp();
            return ticks > 0 ? FromTicks(ticks) : TimeSpan.Zero;
        }

        /// <summary>A duration in Stopwatch ticks, the unit of deadlines.</summary>
        public static long ToTicks(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);

        /// <summary>A count of Stopwatch ticks as a duration.</summary>
        public static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds(ticks / (double)Stopwatch.Frequency);

        /// <summary>Milliseconds left until <paramref name="deadline"/> for Monitor.Wait: at least 1, infinite for no deadline.</summary>
        public static int MillisecondsLeft(long deadline)
        {
            if (deadline == long.MaxValue)
            {
                return System.Threading.Timeout.Infinite;
            }

            double ms = Math.Ceiling((deadline - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency);
            return (int)Math.Max(1, Math.Min(ms, int.MaxValue - 1));
        }

        /// <summary>A wait of <paramref name="timeout"/> in the milliseconds WaitOne and timers take: 0 or more, capped below infinite.</summary>
        public static int ToMilliseconds(TimeSpan timeout)
        {
            double ms = Math.Ceiling(timeout.TotalMilliseconds);
            return ms >= int.MaxValue ? int.MaxValue - 1 : (int)Math.Max(0, ms);
        }
    }
}

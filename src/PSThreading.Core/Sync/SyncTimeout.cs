using System;
using System.Diagnostics;

namespace PSThreading.Core.Sync
{
    /// <summary>The methods' one timeout rule: seconds, fractions allowed; negative or NaN is refused; huge means no limit.</summary>
    internal static class SyncTimeout
    {
        // Beyond this a timeout is as good as none; capping keeps the deadline arithmetic from overflowing.
        private const double MaxSeconds = 1e7;

        /// <summary>The wait <paramref name="seconds"/> stands for, or an InvalidTimeout error naming the untimed call.</summary>
        public static TimeSpan? FromSeconds(double seconds, string untimedCall)
        {
            if (double.IsNaN(seconds) || seconds < 0)
            {
                throw new InvalidTimeoutException(
                    $"The timeout {seconds} is not valid. Give the seconds to wait as 0 or more (fractions such as 0.5 are allowed; " +
                    $"0 does not wait), or call {untimedCall} with no timeout to wait without limit.");
            }

            return seconds >= MaxSeconds ? (TimeSpan?)null : TimeSpan.FromSeconds(seconds);
        }

        /// <summary>The Stopwatch timestamp at which a wait of <paramref name="timeout"/> begun now ends (null: never).</summary>
        public static long Deadline(TimeSpan? timeout) => timeout.HasValue
            ? Stopwatch.GetTimestamp() + (long)(Math.Min(timeout.Value.TotalSeconds, MaxSeconds) * Stopwatch.Frequency)
            : long.MaxValue;

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
    }
}

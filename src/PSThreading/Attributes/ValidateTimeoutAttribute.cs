using System;
using System.Management.Automation;

namespace PSThreading.Attributes
{
    /// <summary>
    /// A cmdlet timeout, one rule for every such parameter: seconds, fractions allowed; 0 means no time at all;
    /// -1, +Infinity and any value too large to pass mean no limit; other negatives and NaN are refused.
    /// ValidateRange would let NaN through (every comparison with NaN is false), so the check is written out.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateTimeoutAttribute : ValidateArgumentsAttribute
    {
        /// <summary>The value that asks for no limit, as PowerShell's own -Timeout parameters take it.</summary>
        public const double NoLimit = -1;

        // Beyond this the deadline arithmetic would overflow TimeSpan: a wait that long never ends anyway.
        private static readonly double s_longestLimitSeconds = TimeSpan.MaxValue.TotalSeconds / 2;

        /// <summary>The wait a valid timeout stands for: null when there is no limit.</summary>
        public static TimeSpan? ToLimit(double seconds)
        {
            if (seconds == NoLimit || seconds >= s_longestLimitSeconds)
            {
                return null;
            }

            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            double seconds = arguments is double d ? d : Convert.ToDouble(arguments, System.Globalization.CultureInfo.InvariantCulture);
            if (double.IsNaN(seconds) || (seconds < 0 && seconds != NoLimit))
            {
                throw new ValidationMetadataException(
                    $"The timeout {seconds} is not valid. Give a number of seconds, 0 or more (fractions such as 0.5 are allowed), " +
                    "or -1 for no limit.");
            }
        }
    }
}

using System;
using System.Management.Automation;
using PSThreading.Core.Sync;
using PSThreading.Engine;
using PSThreading.Pool;

namespace PSThreading.Commands
{
    /// <summary>
    /// A cmdlet's -Timeout or -ItemTimeout, read by the core's one rule (<see cref="WaitTimeout"/>), the rule
    /// of the methods too. Checked by the command before it does anything rather than by a validation
    /// attribute, so that a refused value is the InvalidTimeout error the methods give, not a binding error.
    /// </summary>
    internal static class TimeoutParameter
    {
        /// <summary>The default of a -Timeout parameter: no limit.</summary>
        public const double NoLimit = WaitTimeout.NoLimitSeconds;

        /// <summary>The wait <paramref name="seconds"/> stands for (null: no limit); ends the command with InvalidTimeout when refused.</summary>
        public static TimeSpan? ToLimit(Cmdlet cmdlet, string parameter, double seconds)
        {
            if (!WaitTimeout.TryFromSeconds(seconds, out TimeSpan? limit))
            {
                InvalidTimeoutException error = WaitTimeout.Invalid(seconds, "-" + parameter, untimedCall: null);
                cmdlet.ThrowTerminatingError(new ErrorRecord(error, error.ErrorId, ErrorCategory.InvalidArgument, seconds));
            }

            return limit;
        }
    }
}

using System.Globalization;
using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.RateLimits;
using PSThreading.Core.Sync;
using PSThreading.Errors;

namespace PSThreading.Commands
{
    /// <summary>
    /// A budget of starts for one API, shared by every thread, runspace and pool call that holds it: at most
    /// -Limit permits in any window of -Period seconds. With -Name it is process-wide: the same name gives the
    /// same limiter in every runspace and worker, as named locks do.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadRateLimiter")]
    [OutputType(typeof(ThreadRateLimiter))]
    public sealed class NewThreadRateLimiterCommand : PSCmdlet
    {
        /// <summary>The most permits in any window of -Period seconds.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(1, int.MaxValue)]
        public int Limit { get; set; }

        /// <summary>The window's length in seconds; fractions allowed.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        public double Period { get; set; }

        [Parameter]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        protected override void EndProcessing()
        {
            if (!RatePeriodRule.IsValid(Period))
            {
                ThrowTerminatingError(RatePeriodRule.Invalid(nameof(Period), Period));
            }

            string asked = string.Format(CultureInfo.InvariantCulture, "a Rate limiter of {0} per {1} s", Limit, Period);
            WriteObject(LockErrorRecord.Run(
                this,
                () => Name == null
                    ? new ThreadRateLimiter(Limit, Period)
                    : LockRegistry.GetOrCreate(Name, () => new ThreadRateLimiter(Limit, Period, Name), found => found.Limit == Limit && found.Period == Period, asked),
                Name));
        }
    }

    /// <summary>The rule for a rate's period in seconds (-Period, -RatePeriod): above 0, finite.</summary>
    internal static class RatePeriodRule
    {
        public static bool IsValid(double seconds) => !double.IsNaN(seconds) && seconds > 0 && seconds <= WaitTimeout.LongestSeconds;

        public static ErrorRecord Invalid(string parameter, double seconds) => ParameterValidationError.Create(
            parameter,
            seconds,
            string.Format(
                CultureInfo.InvariantCulture,
                "The -{0} {1} is not valid: give the window's length in seconds, above 0 (fractions such as 0.5 are allowed).",
                parameter,
                seconds));
    }
}

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using PSThreading.Core.Pool;
using PSThreading.Core.RateLimits;
using PSThreading.Errors;
using PSThreading.Inline;
using PSThreading.Pool;

namespace PSThreading.Commands
{
    /// <summary>
    /// Calling APIs in parallel: a rate of item starts (-RateLimit, -RatePeriod, or a shared -RateLimiter), retries
    /// of failed attempts with backoff that honour a server's Retry-After (-MaxRetries, -RetryDelay, -MaxRetryDelay,
    /// -RetryOn), and a throttle per key (-ThrottleKey, -KeyThrottleLimit). The cmdlet only reads and checks them:
    /// the scheduler decides when an item starts and whether it runs again (ThreadPoolScheduler.Limits.cs).
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        private ThreadRateLimiter? _rateLimiter;

        /// <summary>At most this many item starts in any window of -RatePeriod seconds, across all workers of the call.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int RateLimit { get; set; }

        /// <summary>The window of -RateLimit, in seconds (default 1); fractions allowed.</summary>
        [Parameter]
        public double RatePeriod { get; set; } = 1;

        /// <summary>A limiter from New-ThreadRateLimiter: one budget shared with every other call, thread and job holding it.</summary>
        [Parameter]
        [ValidateNotNull]
        public ThreadRateLimiter? RateLimiter { get; set; }

        /// <summary>How many more times an item whose attempt failed runs again (default 0).</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxRetries { get; set; }

        /// <summary>Seconds before the first retry (default 1), doubled for each later one, randomized by up to 25%.</summary>
        [Parameter]
        public double RetryDelay { get; set; } = 1;

        /// <summary>The longest wait between attempts, in seconds (default 60); a server's Retry-After is honoured beyond it.</summary>
        [Parameter]
        public double MaxRetryDelay { get; set; } = 60;

        /// <summary>Retries only errors that match one entry: an error id, an exception type name (short or full, base types too), or an HTTP status code.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? RetryOn { get; set; }

        /// <summary>Run on this thread for each item, with $_ the item: items of one key run at most -KeyThrottleLimit at once.</summary>
        [Parameter]
        [ValidateNotNull]
        public ScriptBlock? ThrottleKey { get; set; }

        /// <summary>The most items of one -ThrottleKey key that run at once (default 1).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int KeyThrottleLimit { get; set; } = 1;

        /// <summary>Refuses bad limits before anything starts; a terminating error with a named id.</summary>
        private void ValidateLimits()
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.ContainsKey(nameof(RatePeriod)) && !RatePeriodRule.IsValid(RatePeriod))
            {
                ThrowTerminatingError(RatePeriodRule.Invalid(nameof(RatePeriod), RatePeriod));
            }

            if (bound.ContainsKey(nameof(RateLimit)) && RateLimiter != null)
            {
                ThrowLimitError("RateLimitWithRateLimiter", "-RateLimit and -RateLimiter were both given: give -RateLimit for a rate of this call only, or -RateLimiter to share one limiter's budget, not both.", RateLimit);
            }

            if (bound.ContainsKey(nameof(RatePeriod)) && !bound.ContainsKey(nameof(RateLimit)))
            {
                ThrowLimitError("RatePeriodWithoutRateLimit", "-RatePeriod is the window of -RateLimit: give -RateLimit too (for example -RateLimit 20 -RatePeriod 1), or a limiter's period with New-ThreadRateLimiter -Period.", RatePeriod);
            }

            if (bound.ContainsKey(nameof(KeyThrottleLimit)) && ThrottleKey == null)
            {
                ThrowLimitError("KeyThrottleLimitWithoutThrottleKey", "-KeyThrottleLimit bounds the items of one key: give -ThrottleKey too, a script block whose result is the item's key (for example -ThrottleKey { $_.Tenant }).", KeyThrottleLimit);
            }

            CheckSeconds(nameof(RetryDelay), RetryDelay);
            CheckSeconds(nameof(MaxRetryDelay), MaxRetryDelay);
            // After the value checks: a bad value is named as such first.
            if (!bound.ContainsKey(nameof(MaxRetries)))
            {
                foreach (string retryOption in new[] { nameof(RetryOn), nameof(RetryDelay), nameof(MaxRetryDelay) })
                {
                    if (bound.ContainsKey(retryOption))
                    {
                        // -MaxRetries is 0 unless given: the option would change nothing, silently.
                        ThrowLimitError("RetryOptionWithoutMaxRetries", $"-{retryOption} shapes the retries of -MaxRetries, which is 0 unless given, so no item would be retried: give -MaxRetries too (for example -MaxRetries 3 -{retryOption} ...).", bound[retryOption]);
                    }
                }
            }

            _rateLimiter = RateLimiter ?? (bound.ContainsKey(nameof(RateLimit)) ? new ThreadRateLimiter(RateLimit, RatePeriod) : null);
        }

        private void CheckSeconds(string parameter, double seconds)
        {
            if (double.IsNaN(seconds) || seconds < 0 || seconds > int.MaxValue)
            {
                ThrowTerminatingError(ParameterValidationError.Create(parameter, seconds, string.Format(
                    CultureInfo.InvariantCulture, "The -{0} {1} is not valid: give the seconds to wait as 0 or more (fractions such as 0.5 are allowed).", parameter, seconds)));
            }
        }

        private void ThrowLimitError(string errorId, string message, object value) =>
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, value));

        /// <summary>The retry policy of this call; null without -MaxRetries. Its verbose lines go out only when the caller asked for verbose output.</summary>
        private ItemRetryPolicy? NewRetryPolicy(Action<object> writeRecord) =>
            MaxRetries > 0 ? new ItemRetryPolicy(MaxRetries, RetryDelay, MaxRetryDelay, RetryOn, WantsVerbose() ? writeRecord : null) : null;

        /// <summary>
        /// -Verbose, or the caller's $VerbosePreference: the records the call queues are written as they are
        /// (an item's own verbose records were filtered by its worker's preference), so the retry lines are filtered here.
        /// </summary>
        private bool WantsVerbose()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object? verbose))
            {
                return IsOn(verbose);
            }

            return LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference)
                && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
        }

        /// <summary>Gives the call's scheduler its rate, per-key throttle and retries, before the first item.</summary>
        private void ApplyLimits(PoolCall call) => ApplyLimits(call.Scheduler, record => call.Records.Enqueue(record));

        /// <summary>
        /// The same for any scheduler (threads, processes, remote sessions): <paramref name="enqueueRecord"/> queues a
        /// retry's verbose line where the call's pipeline thread writes its records from.
        /// </summary>
        private void ApplyLimits(ThreadPoolScheduler scheduler, Action<object> enqueueRecord)
        {
            ItemRetryPolicy? retries = NewRetryPolicy(record =>
            {
                enqueueRecord(record);
                scheduler.NotifyStreamed();
            });
            if (_rateLimiter != null || ThrottleKey != null || retries != null)
            {
                scheduler.SetLimits(_rateLimiter, ThrottleKey == null ? 0 : KeyThrottleLimit, retries);
            }
        }

        /// <summary>Inline mode: the same rate and retries on this thread (keys need nothing: one item runs at a time).</summary>
        private void ApplyLimits(InlinePool pool, Action<object> writeRecord)
        {
            pool.RateLimiter = _rateLimiter;
            pool.RetryPolicy = NewRetryPolicy(writeRecord);
        }

        /// <summary>Queues an item with its key, when the call has a per-key throttle.</summary>
        private void AddToScheduler(ThreadPoolScheduler scheduler, object? input)
        {
            if (ThrottleKey == null)
            {
                scheduler.Add(input);
            }
            else
            {
                scheduler.Add(input, KeyOf(input));
            }
        }

        /// <summary>The item's key: -ThrottleKey run here, on the caller's thread, with $_ the item. Keys compare as text, ignoring case.</summary>
        private string KeyOf(object? input)
        {
            Collection<PSObject> result;
            try
            {
                result = ThrottleKey!.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", input) });
            }
            catch (RuntimeException ex)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException($"-ThrottleKey failed for item '{ItemText.Describe(input)}': {ex.Message} Make the block return the item's key (for example {{ $_.Tenant }}).", ex),
                    "ThrottleKeyFailed",
                    ErrorCategory.InvalidOperation,
                    input));
                throw;
            }

            if (result.Count == 1)
            {
                return LanguagePrimitives.ConvertTo<string>(result[0]) ?? string.Empty;
            }

            var key = new StringBuilder();
            foreach (PSObject part in result)
            {
                key.Append(LanguagePrimitives.ConvertTo<string>(part)).Append('\u001f');
            }

            return key.ToString();
        }

        /// <summary>For the progress bar: the items held back by the rate, a retry's wait or a full key; null when none is.</summary>
        private static string? DescribeHeldBack(ThreadPoolScheduler scheduler)
        {
            if (scheduler.RateLimiter == null && !scheduler.IsKeyed && !scheduler.HoldsOutputUntilDone)
            {
                return null;
            }

            var parts = new List<string>();
            int queued = scheduler.QueuedCount;
            if (scheduler.IsWaitingForRate && queued > 0)
            {
                parts.Add(string.Format(CultureInfo.InvariantCulture, "{0} waiting for the rate", queued));
            }

            int retrying = scheduler.RetryingCount;
            if (retrying > 0)
            {
                parts.Add(string.Format(CultureInfo.InvariantCulture, "{0} waiting to retry", retrying));
            }

            int keyBlocked = scheduler.KeyBlockedCount;
            if (keyBlocked > 0)
            {
                parts.Add(string.Format(CultureInfo.InvariantCulture, "{0} waiting for their key", keyBlocked));
            }

            return parts.Count == 0 ? null : " (" + string.Join(", ", parts) + ")";
        }

        /// <summary>The message of an item's last error under retries: how many attempts were made.</summary>
        private static void NoteAttempts(ErrorRecord error, PoolWorkItem item)
        {
            if (item.Attempt > 1 && item.State == PoolItemState.Failed)
            {
                error.ErrorDetails = new ErrorDetails(string.Format(
                    CultureInfo.InvariantCulture, "{0} (item #{1} failed all {2} attempts)", error.ErrorDetails?.Message ?? error.Exception?.Message, item.Index + 1, item.Attempt));
            }
        }
    }
}

using System;
using System.Management.Automation;
using PSThreading.Core.Pool;
using PSThreading.Core.RateLimits;
using PSThreading.Pool;

namespace PSThreading.Inline
{
    /// <summary>Inline mode's rate and retries: on the caller's thread, the waits a pool's workers would make.</summary>
    internal sealed partial class InlinePool
    {
        /// <summary>The rate every attempt's start obeys; null for none.</summary>
        public ThreadRateLimiter? RateLimiter { get; set; }

        /// <summary>Whether a failed attempt runs again; null: never.</summary>
        public ItemRetryPolicy? RetryPolicy { get; set; }

        private void WaitForRate()
        {
            if (RateLimiter == null)
            {
                return;
            }

            try
            {
                RateLimiter.Wait(null, _cancel);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>True after waiting out the retry's delay when the failed attempt runs again; false when it was the last.</summary>
        private bool WaitToRetry(PoolWorkItem item, ErrorRecord? error)
        {
            RetryDecision? decision = RetryPolicy?.Decide(item.Attempt, item.Index, item.Input, error);
            if (!decision.HasValue)
            {
                return false;
            }

            if (decision.Value.PausesCall)
            {
                RateLimiter?.Pause(decision.Value.Delay);
            }

            if (_cancel.WaitHandle.WaitOne(decision.Value.Delay))
            {
                throw new PipelineStoppedException();
            }

            return true;
        }
    }
}

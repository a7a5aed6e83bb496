using System;

namespace PSThreading.Core.Pool
{
    /// <summary>What a call's retry policy says of a failed attempt: when it runs again, and whether the whole call pauses.</summary>
    internal readonly struct RetryDecision
    {
        public RetryDecision(TimeSpan delay, bool pausesCall)
        {
            Delay = delay;
            PausesCall = pausesCall;
        }

        /// <summary>The wait before the next attempt.</summary>
        public TimeSpan Delay { get; }

        /// <summary>True when the wait is the server's (Retry-After): no item of the call starts before it ends.</summary>
        public bool PausesCall { get; }
    }

    /// <summary>Decides whether a failed attempt runs again (-MaxRetries, -RetryOn, -RetryDelay). The module knows the errors; the core does not.</summary>
    internal interface IPoolRetryPolicy
    {
        /// <summary>Null when <paramref name="item"/>, whose attempt <see cref="PoolWorkItem.Attempt"/> failed with <paramref name="error"/>, does not run again.</summary>
        RetryDecision? Decide(PoolWorkItem item, object? error);
    }
}

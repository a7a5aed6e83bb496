using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.RateLimits;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>The exact sliding window, the shared limiter, and the scheduler's rate, retries and keys (issue 24).</summary>
    public class RateLimitTests
    {
        private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);
        private static readonly long s_second = Stopwatch.Frequency;

        [Fact]
        public void TheWindowLetsLimitStartsThroughThenSaysWhenTheOldestLeaves()
        {
            var window = new StartWindow(3, TimeSpan.FromSeconds(1));
            long t = 1_000 * s_second;
            Assert.True(window.TryTake(t, out _));
            Assert.True(window.TryTake(t + (s_second / 10), out _));
            Assert.True(window.TryTake(t + (s_second / 5), out _));
            Assert.False(window.TryTake(t + (s_second / 2), out long next));
            Assert.Equal(t + s_second, next);
            // Exactly one period after the first start it has left the window; a tick before it has not.
            Assert.False(window.TryTake(t + s_second - 1, out _));
            Assert.True(window.TryTake(t + s_second, out _));
            Assert.False(window.TryTake(t + s_second, out next));
            Assert.Equal(t + s_second + (s_second / 10), next);
        }

        [Fact]
        public void NoWindowOfThePeriodEverHoldsMoreThanTheLimitUnderRandomDemand()
        {
            var random = new Random(24);
            var window = new StartWindow(7, TimeSpan.FromSeconds(1));
            var starts = new List<long>();
            long now = 0;
            for (int i = 0; i < 5_000; i++)
            {
                now += random.Next(0, (int)(s_second / 20));
                if (window.TryTake(now, out _))
                {
                    starts.Add(now);
                }
            }

            for (int i = 0; i + 7 < starts.Count; i++)
            {
                Assert.True(starts[i + 7] - starts[i] >= s_second, $"8 starts within a second at {i}");
            }
        }

        [Fact]
        public void AStartKeptBackByAHeldOneLooksAgainSoonNotNever()
        {
            // A held start's end wakes only its own call's workers; another call sharing the limiter must not
            // sleep until a time that never comes (it hung an -AsJob call and a call sharing one limiter).
            var window = new StartWindow(1, TimeSpan.FromSeconds(10));
            long now = Stopwatch.GetTimestamp();
            Assert.True(window.TryTake(now, out _, out StartEntry? held));
            StartWindow.Hold(held!);
            Assert.False(window.TryTake(now, out long nextChance));
            Assert.InRange(nextChance, now, now + Stopwatch.Frequency);
            StartWindow.Settle(held!, now);
            Assert.False(window.TryTake(now, out nextChance));
            Assert.Equal(now + window.PeriodTicks, nextChance);
        }

        [Fact]
        public void APauseHoldsEveryStartUntilItEndsAndAShorterOneDoesNotShortenIt()
        {
            var window = new StartWindow(100, TimeSpan.FromSeconds(1));
            window.PauseUntil(50 * s_second);
            window.PauseUntil(40 * s_second);
            Assert.False(window.TryTake(49 * s_second, out long next));
            Assert.Equal(50 * s_second, next);
            Assert.True(window.TryTake(50 * s_second, out _));
        }

        [Fact]
        public void AHugeLimitKeepsOnlyTheStartsOfOnePeriod()
        {
            var window = new StartWindow(1_000_000, TimeSpan.FromSeconds(1));
            for (long i = 0; i < 10_000; i++)
            {
                Assert.True(window.TryTake(i * s_second / 1_000, out _));
            }

            // 10 s of starts at 1,000 a second: the window holds the last second's only.
            Assert.InRange(window.CountAt(10 * s_second), 0, 1_000);
        }

        [Theory]
        [InlineData(0, 1.0)]
        [InlineData(1, 0.0)]
        [InlineData(1, -1.0)]
        [InlineData(1, double.NaN)]
        public void ALimiterRefusesALimitBelowOneOrAPeriodNotAboveZero(int limit, double period)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadRateLimiter(limit, period));
        }

        [Fact]
        public void TheLimiterGivesLimitPermitsThenWaitsForTheWindow()
        {
            var limiter = new ThreadRateLimiter(2, 0.3);
            Assert.True(limiter.TryAcquire());
            Assert.True(limiter.TryAcquire());
            Assert.False(limiter.TryAcquire());
            Assert.False(limiter.Wait(0.05));
            var watch = Stopwatch.StartNew();
            Assert.True(limiter.Wait());
            Assert.InRange(watch.Elapsed.TotalSeconds, 0.15, 10);
        }

        [Fact]
        public void AWaitEndsWhenItsTokenIsCancelled()
        {
            var limiter = new ThreadRateLimiter(1, 600);
            Assert.True(limiter.TryAcquire());
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            Assert.ThrowsAny<OperationCanceledException>(() => limiter.Wait(null, cancel.Token));
        }

        [Fact]
        public void TheSchedulerStartsNoMoreThanTheRateAcrossWorkers()
        {
            var scheduler = new ThreadPoolScheduler(8, ordered: false);
            scheduler.SetLimits(new ThreadRateLimiter(5, 0.5), keyLimit: 0, retryPolicy: null);
            var starts = new ConcurrentQueue<long>();
            var workers = Enumerable.Range(0, 8).Select(w => BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(w, CancellationToken.None)) != null)
                {
                    starts.Enqueue(Stopwatch.GetTimestamp());
                    scheduler.Complete(item, null);
                }
            })).ToArray();
            for (int i = 0; i < 15; i++)
            {
                scheduler.Add(i);
            }

            scheduler.CompleteAdding();
            Assert.Equal(15, DrainAll(scheduler).Count);
            Assert.All(workers, w => Assert.True(w.Join(s_bound)));
            long[] at = starts.OrderBy(s => s).ToArray();
            // Three windows of 5: the last start at least a period after the sixth, two after the first.
            Assert.True(at[14] - at[0] >= s_second * 0.99, $"15 starts took {(at[14] - at[0]) / (double)s_second:0.000} s");
        }

        [Fact]
        public void AFailedAttemptRunsAgainAfterItsDelayAndOnlyTheLastOutcomeIsPublished()
        {
            var scheduler = new ThreadPoolScheduler(2, ordered: true);
            var policy = new FixedRetries(2, TimeSpan.FromMilliseconds(50));
            scheduler.SetLimits(null, 0, policy);
            var attempts = new ConcurrentDictionary<long, int>();
            var worker = BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(0, CancellationToken.None)) != null)
                {
                    attempts[item.Index] = item.Attempt;
                    item.AddStreamed("attempt " + item.Attempt);
                    if ((long)item.Input! == 1 && item.Attempt < 3)
                    {
                        scheduler.Fail(item, "boom");
                    }
                    else if ((long)item.Input! == 2)
                    {
                        scheduler.Fail(item, "always");
                    }
                    else
                    {
                        scheduler.Complete(item, item.Attempt);
                    }
                }
            });
            for (long i = 0; i < 3; i++)
            {
                scheduler.Add(i);
            }

            scheduler.CompleteAdding();
            List<PoolWorkItem> written = DrainAll(scheduler);
            Assert.True(worker.Join(s_bound));
            Assert.Equal(new long[] { 0, 1, 2 }, written.Select(i => i.Index));
            Assert.Equal(PoolItemState.Completed, written[1].State);
            Assert.Equal(3, written[1].Attempt);
            // The failed attempts' streamed output was dropped: only the last attempt's is left.
            Assert.True(written[1].TryTakeStreamed(out object? streamed));
            Assert.Equal("attempt 3", streamed);
            Assert.False(written[1].TryTakeStreamed(out _));
            Assert.Equal(PoolItemState.Failed, written[2].State);
            Assert.Equal(3, written[2].Attempt);
            Assert.Equal("always", written[2].Error);
        }

        [Fact]
        public void ARetryAfterPausesEveryStartOfTheCall()
        {
            var scheduler = new ThreadPoolScheduler(4, ordered: false);
            var limiter = new ThreadRateLimiter(1000, 1);
            scheduler.SetLimits(limiter, 0, new FixedRetries(1, TimeSpan.FromMilliseconds(400), pausesCall: true));
            var startedAt = new ConcurrentDictionary<long, long>();
            long failedAt = 0;
            var workers = Enumerable.Range(0, 2).Select(w => BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(w, CancellationToken.None)) != null)
                {
                    startedAt[(item.Index * 10) + item.Attempt] = Stopwatch.GetTimestamp();
                    if (item.Index == 0 && item.Attempt == 1)
                    {
                        long failing = Stopwatch.GetTimestamp();
                        scheduler.Fail(item, "429");
                        // Published after Fail: the items added once it is seen must meet the pause.
                        Interlocked.Exchange(ref failedAt, failing);
                    }
                    else
                    {
                        scheduler.Complete(item, null);
                    }
                }
            })).ToArray();
            scheduler.Add(0L);
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref failedAt) != 0, s_bound));
            for (long i = 1; i < 4; i++)
            {
                scheduler.Add(i);
            }

            scheduler.CompleteAdding();
            Assert.Equal(4, DrainAll(scheduler).Count);
            Assert.All(workers, w => Assert.True(w.Join(s_bound)));
            foreach (long later in new long[] { 11, 21, 31, 2 })
            {
                double after = (startedAt[later] - failedAt) / (double)s_second;
                Assert.True(after >= 0.35, $"start {later} came {after:0.000} s after the 429, inside the pause");
            }
        }

        [Fact]
        public void ItemsOfAFullKeyWaitWhileOtherKeysStart()
        {
            var scheduler = new ThreadPoolScheduler(4, ordered: false);
            scheduler.SetLimits(null, keyLimit: 1, retryPolicy: null);
            scheduler.Add("a1", "a");
            scheduler.Add("a2", "a");
            scheduler.Add("b1", "B");
            PoolWorkItem first = scheduler.TakeNext(0, CancellationToken.None)!;
            PoolWorkItem second = scheduler.TakeNext(1, CancellationToken.None)!;
            Assert.Equal("a1", first.Input);
            // a2 waits for a1's key: b1, behind it in the queue, starts instead.
            Assert.Equal("b1", second.Input);
            var third = BackgroundCall.Start(() => scheduler.TakeNext(2, CancellationToken.None));
            Assert.False(third.Join(200));
            scheduler.Complete(first, null);
            Assert.True(third.Join(s_bound));
            Assert.Equal("a2", third.Result!.Input);
        }

        [Fact]
        public void KeysCompareIgnoringCase()
        {
            var scheduler = new ThreadPoolScheduler(4, ordered: false);
            scheduler.SetLimits(null, keyLimit: 1, retryPolicy: null);
            scheduler.Add(1, "Host");
            scheduler.Add(2, "HOST");
            scheduler.CompleteAdding();
            Assert.NotNull(scheduler.TakeNext(0, CancellationToken.None));
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
            Assert.Null(scheduler.TakeNext(1, soon.Token));
        }

        private static List<PoolWorkItem> DrainAll(ThreadPoolScheduler scheduler) => ThreadPoolSchedulerTests.DrainAll(scheduler);

        private sealed class FixedRetries : IPoolRetryPolicy
        {
            private readonly int _retries;
            private readonly TimeSpan _delay;
            private readonly bool _pausesCall;

            public FixedRetries(int retries, TimeSpan delay, bool pausesCall = false)
            {
                _retries = retries;
                _delay = delay;
                _pausesCall = pausesCall;
            }

            public RetryDecision? Decide(PoolWorkItem item, object? error) =>
                item.Attempt <= _retries ? new RetryDecision(_delay, _pausesCall) : (RetryDecision?)null;
        }
    }
}

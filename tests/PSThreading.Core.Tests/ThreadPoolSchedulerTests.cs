using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    public class ThreadPoolSchedulerTests
    {
        private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        public void AThrottleBelowOneIsRefused(int throttle)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolScheduler(throttle, ordered: false));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void NeverMoreThanTheThrottleLimitRunEvenWithMoreWorkers(int throttle)
        {
            var scheduler = new ThreadPoolScheduler(throttle, ordered: false);
            int running = 0;
            int peak = 0;
            var workers = Enumerable.Range(0, throttle + 4).Select(w => BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(w, CancellationToken.None)) != null)
                {
                    int now = Interlocked.Increment(ref running);
                    InterlockedMax(ref peak, now);
                    Thread.Sleep(1);
                    Interlocked.Decrement(ref running);
                    scheduler.Complete(item, item.Input);
                }
            })).ToArray();

            for (int i = 0; i < 200; i++)
            {
                scheduler.Add(i);
            }

            scheduler.CompleteAdding();
            var written = DrainAll(scheduler);

            Assert.All(workers, w => Assert.True(w.Join(s_bound)));
            Assert.Equal(200, written.Count);
            Assert.True(peak <= throttle, $"peak {peak} above throttle {throttle}");
            Assert.True(scheduler.PeakRunningCount <= throttle);
            Assert.Equal(throttle, scheduler.PeakRunningCount);
        }

        [Fact]
        public void WorkersAsleepBehindAFullThrottleEndWhenTheLastItemIsTaken()
        {
            // Seen in CI: with more workers than the throttle, one went back to sleep after CompleteAdding
            // woke it (the throttle was still full) and nothing woke it again once the queue emptied.
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            scheduler.Add(2);
            scheduler.CompleteAdding();
            PoolWorkItem first = scheduler.TakeNext(0, CancellationToken.None)!;
            var sleepers = Enumerable.Range(1, 2).Select(w => BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(w, CancellationToken.None)) != null)
                {
                    scheduler.Complete(item, null);
                }
            })).ToArray();
            Assert.True(SpinWait.SpinUntil(() => scheduler.SleepingWorkerCount == 2, s_bound), "both workers should sleep behind the throttle");

            scheduler.Complete(first, null);
            PoolWorkItem? second = scheduler.TakeNext(0, CancellationToken.None);
            if (second != null)
            {
                scheduler.Complete(second, null);
            }

            Assert.All(sleepers, w => Assert.True(w.Join(s_bound), "a worker was left asleep after the last item"));
            Assert.Equal(2, DrainAll(scheduler).Count);
        }

        [Fact]
        public void OrderedCallsWriteInInputOrderUnorderedInFinishOrder()
        {
            foreach (bool ordered in new[] { true, false })
            {
                var scheduler = new ThreadPoolScheduler(2, ordered);
                PoolWorkItem first = scheduler.Add("slow");
                PoolWorkItem second = scheduler.Add("fast");
                scheduler.CompleteAdding();
                PoolWorkItem a = scheduler.TakeNext(0, CancellationToken.None)!;
                PoolWorkItem b = scheduler.TakeNext(1, CancellationToken.None)!;
                Assert.Same(first, a);
                Assert.Same(second, b);

                scheduler.Complete(b, "fast done");
                if (ordered)
                {
                    Assert.False(scheduler.TryTakeResult(out _));
                    Assert.Equal(1, scheduler.HeldForOrderCount);
                }

                scheduler.Complete(a, "slow done");
                var written = DrainAll(scheduler).Select(i => (string)i.Output!).ToArray();
                Assert.Equal(ordered ? new[] { "slow done", "fast done" } : new[] { "fast done", "slow done" }, written);
                Assert.True(scheduler.IsDone);
            }
        }

        [Fact]
        public void TotalIsKnownOnlyOnceInputEnds()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            scheduler.Add(2);
            Assert.Null(scheduler.TotalCount);
            Assert.False(scheduler.IsDone);
            scheduler.CompleteAdding();
            Assert.Equal(2, scheduler.TotalCount);
            Assert.Throws<InvalidOperationException>(() => scheduler.Add(3));
        }

        [Fact]
        public void AWorkerWaitsForStreamingInputAndEndsWhenInputEnds()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            var taken = new BlockingCollection<object?>();
            var worker = BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(0, CancellationToken.None)) != null)
                {
                    taken.Add(item.Input);
                    scheduler.Complete(item, null);
                }
            });

            scheduler.Add("a");
            Assert.True(taken.TryTake(out object? first, s_bound));
            Assert.Equal("a", first);
            Assert.False(worker.Join(0));
            scheduler.Add("b");
            Assert.True(taken.TryTake(out object? second, s_bound));
            Assert.Equal("b", second);
            scheduler.CompleteAdding();
            Assert.True(worker.Join(s_bound));
        }

        [Fact]
        public void CancelWakesBlockedWorkersAndDropsQueuedItems()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            scheduler.Add(2);
            PoolWorkItem running = scheduler.TakeNext(0, CancellationToken.None)!;
            // The throttle is full: a second worker blocks until cancelled.
            var blocked = BackgroundCall.Start(() => scheduler.TakeNext(1, CancellationToken.None));
            Assert.False(blocked.Join(100));

            scheduler.Cancel();
            Assert.True(blocked.Join(s_bound));
            Assert.Null(blocked.Result);
            Assert.Equal(0, scheduler.QueuedCount);
            Assert.True(scheduler.IsDone);
            Assert.False(scheduler.Complete(running, "late") && scheduler.TryTakeResult(out _));
        }

        [Fact]
        public void AWorkersOwnTokenEndsItsWaitAlone()
        {
            var scheduler = new ThreadPoolScheduler(2, ordered: false);
            using var stopOne = new CancellationTokenSource();
            var one = BackgroundCall.Start(() => scheduler.TakeNext(0, stopOne.Token));
            var other = BackgroundCall.Start(() => scheduler.TakeNext(1, CancellationToken.None));
            Assert.False(one.Join(100));

            stopOne.Cancel();
            Assert.True(one.Join(s_bound));
            Assert.Null(one.Result);
            scheduler.Add("for the other");
            Assert.True(other.Join(s_bound));
            Assert.Equal("for the other", other.Result!.Input);
            scheduler.CompleteAdding();
        }

        [Fact]
        public void AnOverdueItemIsReportedTimedOutOnceAndKeepsItsSlotUntilReleased()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: true);
            scheduler.Add("stuck");
            scheduler.Add("next");
            scheduler.CompleteAdding();
            PoolWorkItem stuck = scheduler.TakeNext(0, CancellationToken.None)!;
            Assert.Empty(scheduler.TimeOutOverdue(TimeSpan.FromSeconds(10)));
            Assert.NotNull(scheduler.TimeUntilNextItemTimeout(TimeSpan.FromSeconds(10)));

            Thread.Sleep(60);
            IReadOnlyList<PoolWorkItem> overdue = scheduler.TimeOutOverdue(TimeSpan.FromMilliseconds(50));
            Assert.Same(stuck, Assert.Single(overdue));
            Assert.Equal(PoolItemState.TimedOut, stuck.State);
            Assert.Empty(scheduler.TimeOutOverdue(TimeSpan.FromMilliseconds(50)));
            Assert.True(scheduler.TryTakeResult(out PoolWorkItem? result));
            Assert.Same(stuck, result);

            // The slot is still taken: the throttle of 1 lets nothing else run yet.
            Assert.Equal(1, scheduler.RunningCount);
            var next = BackgroundCall.Start(() => scheduler.TakeNext(0, CancellationToken.None));
            Assert.False(next.Join(100));

            // The worker lets go: a late completion does not report the item a second time.
            Assert.False(scheduler.Complete(stuck, "late"));
            Assert.True(next.Join(s_bound));
            Assert.Equal("next", next.Result!.Input);
            Assert.False(scheduler.TryTakeResult(out _));
        }

        [Fact]
        public void AbandonFailsARunningItemAndFreesItsSlot()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add("x");
            scheduler.CompleteAdding();
            PoolWorkItem item = scheduler.TakeNext(0, CancellationToken.None)!;
            scheduler.EndStopped(item, "stopped");
            Assert.Equal(PoolItemState.Failed, item.State);
            Assert.Equal("stopped", item.Error);
            Assert.Equal(0, scheduler.RunningCount);
            Assert.True(scheduler.TryTakeResult(out _));
            Assert.True(scheduler.IsDone);
        }

        [Fact]
        public void InFlightItemsAreBoundedSoMemoryStaysFlat()
        {
            var scheduler = new ThreadPoolScheduler(2, ordered: true, maxInFlight: 64);
            var worker = BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(0, CancellationToken.None)) != null)
                {
                    scheduler.Complete(item, item.Input);
                }
            });

            long written = 0;
            int peakInFlight = 0;
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < 100_000; i++)
            {
                while (!scheduler.HasRoom)
                {
                    Assert.True(watch.Elapsed < s_bound, "the writer never got room");
                    scheduler.WaitForChange(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                    while (scheduler.TryTakeResult(out PoolWorkItem? done))
                    {
                        Assert.Equal(written++, done!.Index);
                    }
                }

                scheduler.Add(i);
                peakInFlight = Math.Max(peakInFlight, (int)(scheduler.AddedCount - scheduler.TakenCount));
            }

            scheduler.CompleteAdding();
            written += DrainAll(scheduler).Count;
            Assert.True(worker.Join(s_bound));
            Assert.Equal(100_000, written);
            Assert.True(peakInFlight <= 64, $"peak in flight {peakInFlight}");
        }

        [Fact]
        public void WaitForChangeIsWokenByAResultAndEndedByCancellation()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            PoolWorkItem item = scheduler.TakeNext(0, CancellationToken.None)!;
            scheduler.WaitForChange(TimeSpan.Zero, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            var completer = BackgroundCall.Start(() =>
            {
                Thread.Sleep(50);
                scheduler.Complete(item, null);
            });
            Assert.True(scheduler.WaitForChange(s_bound, CancellationToken.None));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
            Assert.True(completer.Join(s_bound));

            // A result not yet taken ends a wait at once; once taken, only cancellation ends it here.
            Assert.True(scheduler.WaitForChange(s_bound, CancellationToken.None));
            Assert.True(scheduler.TryTakeResult(out _));
            using var stop = new CancellationTokenSource(50);
            Assert.False(scheduler.WaitForChange(s_bound, stop.Token));
        }

        [Fact]
        public void APollingWriterIsNotWokenForEachResult()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            scheduler.Add(2);
            PoolWorkItem first = scheduler.TakeNext(0, CancellationToken.None)!;
            var completer = BackgroundCall.Start(() =>
            {
                Thread.Sleep(20);
                scheduler.Complete(first, null);
            });

            var watch = Stopwatch.StartNew();
            Assert.True(scheduler.WaitForChange(TimeSpan.FromMilliseconds(300), CancellationToken.None, poll: true));
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"woken after {watch.Elapsed.TotalMilliseconds} ms");
            Assert.True(completer.Join(s_bound));
            Assert.True(scheduler.TryTakeResult(out _));

            // Back to asking for a signal: the next result wakes the writer at once.
            PoolWorkItem second = scheduler.TakeNext(0, CancellationToken.None)!;
            var secondCompleter = BackgroundCall.Start(() =>
            {
                Thread.Sleep(20);
                scheduler.Complete(second, null);
            });
            watch.Restart();
            Assert.True(scheduler.WaitForChange(s_bound, CancellationToken.None));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
            Assert.True(secondCompleter.Join(s_bound));
        }

        [Fact]
        public void AnIdleWorkerIsWokenByANewItem()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            var taker = BackgroundCall.Start(() => scheduler.TakeNext(0, CancellationToken.None));
            Assert.False(taker.Join(50));

            scheduler.Add("late");
            Assert.True(taker.Join(s_bound));
            Assert.Equal("late", taker.Result!.Input);
            scheduler.CompleteAdding();
        }

        [Fact]
        public void ItemsTricklingInReachEverySleepingWorker()
        {
            // Each item blocks its worker until its round is released: the n-th item of a round can only start
            // on a worker asleep since the previous ones arrived, so a wake-up lost or spent twice leaves an
            // item waiting.
            const int workers = 6;
            var scheduler = new ThreadPoolScheduler(workers, ordered: false);
            var rounds = Enumerable.Range(0, 3).Select(_ => new ManualResetEventSlim(false)).ToArray();
            int started = 0;
            var threads = Enumerable.Range(0, workers).Select(w => BackgroundCall.Start(() =>
            {
                PoolWorkItem? item;
                while ((item = scheduler.TakeNext(w, CancellationToken.None)) != null)
                {
                    Interlocked.Increment(ref started);
                    rounds[(int)item.Input! / workers].Wait(s_bound);
                    scheduler.Complete(item, null);
                }
            })).ToArray();

            for (int round = 0; round < rounds.Length; round++)
            {
                // Long enough for every worker to give up spinning and sleep.
                Thread.Sleep(50);
                for (int i = 0; i < workers; i++)
                {
                    scheduler.Add(round * workers + i);
                    Thread.Sleep(5);
                }

                var watch = Stopwatch.StartNew();
                while (Volatile.Read(ref started) < (round + 1) * workers && watch.Elapsed < s_bound)
                {
                    Thread.Sleep(1);
                }

                Assert.Equal((round + 1) * workers, Volatile.Read(ref started));
                Assert.Equal(0, scheduler.QueuedCount);
                rounds[round].Set();
            }

            scheduler.CompleteAdding();
            Assert.All(threads, t => Assert.True(t.Join(s_bound)));
            Assert.Equal(rounds.Length * workers, DrainAll(scheduler).Count);
            foreach (ManualResetEventSlim round in rounds)
            {
                round.Dispose();
            }
        }

        [Fact]
        public void AWorkerAsleepBehindAFullThrottleIsWokenWhenASlotFrees()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add("first");
            scheduler.Add("second");
            PoolWorkItem first = scheduler.TakeNext(0, CancellationToken.None)!;
            var second = BackgroundCall.Start(() => scheduler.TakeNext(1, CancellationToken.None));
            Assert.False(second.Join(100));

            scheduler.Complete(first, null);
            Assert.True(second.Join(s_bound));
            Assert.Equal("second", second.Result!.Input);
            scheduler.CompleteAdding();
        }

        [Fact]
        public void AnItemTimeoutOfZeroReportsTheItemTimedOutInItsPlaceWithoutRunningIt()
        {
            var scheduler = new ThreadPoolScheduler(2, ordered: true);
            PoolWorkItem skipped = scheduler.AddTimedOut("no time");
            scheduler.Add("runs");
            scheduler.CompleteAdding();
            Assert.Equal(PoolItemState.TimedOut, skipped.State);
            Assert.Equal(1, scheduler.FinishedCount);

            PoolWorkItem runs = scheduler.TakeNext(0, CancellationToken.None)!;
            Assert.Equal("runs", runs.Input);
            Assert.Null(scheduler.TakeNext(1, CancellationToken.None));
            scheduler.Complete(runs, "done");
            Assert.Equal(new[] { "no time", "runs" }, DrainAll(scheduler).Select(i => (string)i.Input!).ToArray());
        }

        [Fact]
        public void AnItemEndingAfterTheFinishedResultsWereTakenDoesNotThrow()
        {
            foreach (bool cancelFirst in new[] { false, true })
            {
                var scheduler = new ThreadPoolScheduler(3, ordered: true);
                scheduler.Add("slow");
                scheduler.Add("fast");
                scheduler.CompleteAdding();
                PoolWorkItem slow = scheduler.TakeNext(0, CancellationToken.None)!;
                PoolWorkItem fast = scheduler.TakeNext(1, CancellationToken.None)!;
                scheduler.Complete(fast, "fast done");
                if (cancelFirst)
                {
                    scheduler.Cancel();
                }

                // A call timing out writes what finished, then the slow item ends: it is not written any more.
                Assert.Same(fast, Assert.Single(scheduler.TakeFinishedResults()));
                Assert.True(scheduler.Complete(slow, "slow done"));
                Assert.False(scheduler.TryTakeResult(out _));
                Assert.Empty(scheduler.TakeFinishedResults());
                Assert.Equal(0, scheduler.RunningCount);
            }
        }

        /// <summary>Takes every result of the call as the cmdlet would, until it is done; bounded. Shared with RateLimitTests.</summary>
        internal static List<PoolWorkItem> DrainAll(ThreadPoolScheduler scheduler)
        {
            var written = new List<PoolWorkItem>();
            var watch = Stopwatch.StartNew();
            while (!scheduler.IsDone)
            {
                Assert.True(watch.Elapsed < s_bound, "the pool call never finished");
                while (scheduler.TryTakeResult(out PoolWorkItem? item))
                {
                    written.Add(item!);
                }

                if (!scheduler.IsDone)
                {
                    scheduler.WaitForChange(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                }
            }

            return written;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}

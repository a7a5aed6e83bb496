using System;
using System.Threading;
using PSThreading.Core.Pool;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>What a remote session's worker relies on: batches taken at once, and items given back when a node is lost.</summary>
    public class ThreadPoolSchedulerBatchesTests
    {
        [Fact]
        public void TryTakeQueuedFillsABatchWithoutWaitingAndStopsAtTheThrottle()
        {
            var scheduler = new ThreadPoolScheduler(3, ordered: false);
            for (int i = 0; i < 5; i++)
            {
                scheduler.Add(i);
            }

            PoolWorkItem? first = scheduler.TakeNext(0, CancellationToken.None);
            Assert.NotNull(first);
            Assert.NotNull(scheduler.TryTakeQueued(0));
            Assert.NotNull(scheduler.TryTakeQueued(0));
            // Three running: the throttle holds the rest back, at once rather than by waiting.
            Assert.Null(scheduler.TryTakeQueued(0));
            Assert.Equal(3, scheduler.RunningCount);
        }

        [Fact]
        public void ARequeuedItemIsTakenAgainAndEndsOnce()
        {
            var scheduler = new ThreadPoolScheduler(2, ordered: true);
            scheduler.Add("a");
            scheduler.Add("b");
            scheduler.CompleteAdding();
            PoolWorkItem a = scheduler.TakeNext(0, CancellationToken.None)!;
            PoolWorkItem b = scheduler.TakeNext(1, CancellationToken.None)!;
            Assert.True(scheduler.Requeue(a));
            Assert.Equal(PoolItemState.Queued, a.State);
            Assert.Equal(1, scheduler.RunningCount);
            Assert.True(scheduler.Complete(b, null));
            PoolWorkItem again = scheduler.TakeNext(1, CancellationToken.None)!;
            Assert.Same(a, again);
            Assert.True(scheduler.Complete(again, null));
            Assert.True(scheduler.TryTakeResult(out PoolWorkItem? firstOut));
            Assert.Same(a, firstOut);
            Assert.True(scheduler.TryTakeResult(out PoolWorkItem? secondOut));
            Assert.Same(b, secondOut);
            Assert.True(scheduler.IsDone);
        }

        [Fact]
        public void ATimedOutItemIsNotRequeuedButGivesItsSlotBack()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            PoolWorkItem item = scheduler.TakeNext(0, CancellationToken.None)!;
            Assert.Single(scheduler.TimeOutOverdue(TimeSpan.Zero));
            Assert.False(scheduler.Requeue(item));
            Assert.Equal(PoolItemState.TimedOut, item.State);
            Assert.Equal(0, scheduler.RunningCount);
        }

        [Fact]
        public void APausedItemDoesNotTimeOutUntilItsClockRestarts()
        {
            var scheduler = new ThreadPoolScheduler(2, ordered: false);
            scheduler.Add(1);
            scheduler.Add(2);
            PoolWorkItem first = scheduler.TakeNext(0, CancellationToken.None)!;
            PoolWorkItem waiting = scheduler.TryTakeQueued(0)!;
            scheduler.PauseClock(waiting);
            Thread.Sleep(20);
            var overdue = scheduler.TimeOutOverdue(TimeSpan.FromMilliseconds(10));
            Assert.Single(overdue);
            Assert.Same(first, overdue[0]);
            scheduler.RestartClock(waiting);
            Thread.Sleep(20);
            Assert.Same(waiting, Assert.Single(scheduler.TimeOutOverdue(TimeSpan.FromMilliseconds(10))));
        }
    }
}

using System;
using System.Collections.Generic;
using System.Threading;
using PSThreading.Core.Pool;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>Under -ErrorAction Stop the first failure halts the call: no item starts after it.</summary>
    public class ThreadPoolSchedulerHaltTests
    {
        private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void AFailureHaltsTheCallNoItemStartsAfterItAndWhatStartedIsStillWritten(bool ordered)
        {
            var scheduler = new ThreadPoolScheduler(2, ordered) { HaltsOnFailure = true };
            for (int i = 0; i < 5; i++)
            {
                scheduler.Add(i);
            }

            PoolWorkItem first = scheduler.TakeNext(0, CancellationToken.None)!;
            PoolWorkItem second = scheduler.TakeNext(1, CancellationToken.None)!;
            scheduler.Fail(first, "failed");

            Assert.True(scheduler.IsHalted);
            Assert.Null(scheduler.TakeNext(0, CancellationToken.None));
            Assert.Equal(0, scheduler.QueuedCount);
            Assert.False(scheduler.HasQueuedWork);
            scheduler.Add(5);
            Assert.Equal(0, scheduler.QueuedCount);

            // The item that started before the failure still ends and is written; then the call is done,
            // with no CompleteAdding: the input may never end once the call has failed.
            Assert.False(scheduler.IsDone);
            scheduler.Complete(second, "done");
            var written = new List<PoolWorkItem>();
            while (scheduler.TryTakeResult(out PoolWorkItem? item))
            {
                written.Add(item!);
            }

            Assert.Equal(new[] { first, second }, written);
            Assert.True(scheduler.IsDone);
        }

        [Fact]
        public void AFailureDoesNotHaltACallThatGoesOnAfterErrors()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            scheduler.Add(2);
            scheduler.CompleteAdding();
            scheduler.Fail(scheduler.TakeNext(0, CancellationToken.None)!, "failed");
            Assert.False(scheduler.IsHalted);
            Assert.NotNull(scheduler.TakeNext(0, CancellationToken.None));
        }

        [Fact]
        public void AnItemTimeoutHaltsTheCall()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false) { HaltsOnFailure = true };
            scheduler.Add(1);
            scheduler.Add(2);
            Assert.NotNull(scheduler.TakeNext(0, CancellationToken.None));
            Assert.Single(scheduler.TimeOutOverdue(TimeSpan.Zero));
            Assert.True(scheduler.IsHalted);
            Assert.Equal(0, scheduler.QueuedCount);
        }

        [Fact]
        public void AWorkerAsleepBehindAFullThrottleWakesAndEndsAtAHalt()
        {
            var scheduler = new ThreadPoolScheduler(1, ordered: false);
            scheduler.Add(1);
            scheduler.Add(2);
            PoolWorkItem running = scheduler.TakeNext(0, CancellationToken.None)!;
            var waiting = BackgroundCall.Start(() => scheduler.TakeNext(1, CancellationToken.None));
            SpinWait.SpinUntil(() => scheduler.SleepingWorkerCount == 1, s_bound);

            scheduler.Halt();
            Assert.True(waiting.Join(s_bound));
            Assert.Null(waiting.Result);
            scheduler.Complete(running, "done");
            Assert.True(scheduler.TryTakeResult(out _));
            Assert.True(scheduler.IsDone);
        }
    }
}

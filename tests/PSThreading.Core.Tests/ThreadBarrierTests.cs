using System;
using System.Collections.Concurrent;
using System.Linq;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>CPython's lock_tests.BarrierTests, ported to <see cref="ThreadBarrier"/>.</summary>
    [Collection(LockCollection.Name)]
    public sealed class ThreadBarrierTests
    {
        private const int Parties = 4;

        [Fact]
        public void SeveralRoundsInARowEachWithEveryIndexOnce()
        {
            var barrier = new ThreadBarrier(Parties);
            var indexes = new ConcurrentBag<(int Round, int Index)>();
            var threads = new TestThreads();
            threads.StartMany(Parties, _ =>
            {
                for (int round = 0; round < 5; round++)
                {
                    indexes.Add((round, barrier.Wait(20)));
                }
            });
            threads.JoinAllAndRethrow();
            for (int round = 0; round < 5; round++)
            {
                Assert.Equal(Enumerable.Range(0, Parties), indexes.Where(i => i.Round == round).Select(i => i.Index).OrderBy(i => i));
            }

            Assert.False(barrier.IsBroken);
            Assert.Equal(0, barrier.Waiting);
        }

        [Fact]
        public void AbortBreaksItForTheWaitersAndLaterWaitsUntilReset()
        {
            var barrier = new ThreadBarrier(Parties);
            var threads = new TestThreads();
            threads.StartMany(Parties - 1, _ => Assert.Throws<BarrierBrokenException>(() => barrier.Wait(20)));
            TestThreads.WaitUntil(() => barrier.Waiting == Parties - 1, "all but one wait");
            barrier.Abort();
            threads.JoinAllAndRethrow();
            Assert.True(barrier.IsBroken);
            Assert.Throws<BarrierBrokenException>(() => barrier.Wait(1));
            barrier.Reset();
            Assert.False(barrier.IsBroken);
            Assert.Equal(0, new ThreadBarrier(1).Wait());
        }

        [Fact]
        public void ResetWhileThreadsWaitFailsThemAndLeavesItUsable()
        {
            var barrier = new ThreadBarrier(2);
            var threads = new TestThreads();
            threads.Start(() => Assert.Throws<BarrierBrokenException>(() => barrier.Wait(20)));
            TestThreads.WaitUntil(() => barrier.Waiting == 1, "one waits");
            barrier.Reset();
            threads.JoinAllAndRethrow();
            Assert.False(barrier.IsBroken);
            var again = new TestThreads();
            again.Start(() => barrier.Wait(20));
            barrier.Wait(20);
            again.JoinAllAndRethrow();
        }

        [Fact]
        public void ATimeoutBreaksItForEveryWaiter()
        {
            var barrier = new ThreadBarrier(3, TimeSpan.FromSeconds(20));
            var threads = new TestThreads();
            threads.Start(() => Assert.Throws<BarrierBrokenException>(() => barrier.Wait()));
            TestThreads.WaitUntil(() => barrier.Waiting == 1, "one waits");
            Assert.Throws<BarrierBrokenException>(() => barrier.Wait(0.2));
            threads.JoinAllAndRethrow();
            Assert.True(barrier.IsBroken);
        }

        [Fact]
        public void FewerThanOnePartyIsRefused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadBarrier(0));
        }
    }
}

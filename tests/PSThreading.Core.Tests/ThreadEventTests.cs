using System;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>CPython's lock_tests.EventTests, ported to <see cref="ThreadEvent"/>.</summary>
    [Collection(LockCollection.Name)]
    public sealed class ThreadEventTests
    {
        [Fact]
        public void SetClearAndIsSet()
        {
            var threadEvent = new ThreadEvent();
            Assert.False(threadEvent.IsSet);
            threadEvent.Set();
            Assert.True(threadEvent.IsSet);
            threadEvent.Set();
            Assert.True(threadEvent.IsSet);
            threadEvent.Clear();
            Assert.False(threadEvent.IsSet);
            threadEvent.Clear();
            Assert.False(threadEvent.IsSet);
            Assert.True(new ThreadEvent(isSet: true).IsSet);
        }

        [Fact]
        public void OneSetReleasesEveryWaiter()
        {
            var threadEvent = new ThreadEvent();
            int released = 0;
            var threads = new TestThreads();
            threads.StartMany(5, _ =>
            {
                Assert.True(threadEvent.Wait());
                Interlocked.Increment(ref released);
            });
            TestThreads.WaitUntil(() => threadEvent.Waiters.Count == 5, "five threads wait");
            Assert.Equal(0, Volatile.Read(ref released));
            threadEvent.Set();
            threads.JoinAllAndRethrow();
            Assert.Equal(5, released);
        }

        [Fact]
        public void ATimedWaitReturnsFalseAtTheTimeoutAndTrueWhenSet()
        {
            var threadEvent = new ThreadEvent();
            var stopwatch = Stopwatch.StartNew();
            Assert.False(threadEvent.Wait(0.3));
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.25, 10);
            threadEvent.Set();
            Assert.True(threadEvent.Wait(0.3));
        }

        [Fact]
        public void AWaiterWokenBySetReturnsTrueEvenWhenClearedBeforeItRan()
        {
            // CPython issue 13502: set() then clear() at once still releases the waiters with true.
            var threadEvent = new ThreadEvent();
            bool?[] results = new bool?[5];
            var threads = new TestThreads();
            threads.StartMany(5, i => results[i] = threadEvent.Wait(20));
            TestThreads.WaitUntil(() => threadEvent.Waiters.Count == 5, "five threads wait");
            threadEvent.Set();
            threadEvent.Clear();
            threads.JoinAllAndRethrow();
            Assert.All(results, result => Assert.True(result));
        }

        [Fact]
        public void WaitAfterSetReturnsAtOnce()
        {
            var threadEvent = new ThreadEvent();
            threadEvent.Set();
            var stopwatch = Stopwatch.StartNew();
            Assert.True(threadEvent.Wait());
            Assert.True(threadEvent.Wait(0));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1));
        }

        [Fact]
        public void ANegativeOrNaNTimeoutIsInvalidTimeout()
        {
            var threadEvent = new ThreadEvent();
            Assert.Equal(LockErrorId.InvalidTimeout, Assert.Throws<InvalidTimeoutException>(() => threadEvent.Wait(-2)).ErrorId);
            Assert.Throws<InvalidTimeoutException>(() => threadEvent.Wait(double.NaN));
        }

        [Fact]
        public void ACancelledWaitEndsAndLeavesNoWaiter()
        {
            var threadEvent = new ThreadEvent();
            using var cancel = new CancellationTokenSource();
            var threads = new TestThreads();
            threads.Start(() => Assert.Throws<OperationCanceledException>(() => threadEvent.Wait(null, cancel.Token)));
            TestThreads.WaitUntil(() => threadEvent.Waiters.Count == 1, "the thread waits");
            cancel.Cancel();
            threads.JoinAllAndRethrow();
            Assert.Empty(threadEvent.Waiters);
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>CPython's SemaphoreTests for the plain (unbounded) Semaphore, and Release(n) on both kinds.</summary>
    [Collection(LockCollection.Name)]
    public sealed class ThreadSemaphoreUnboundedTests
    {
        [Fact]
        public void AnUnboundedSemaphoreOfZeroIsASignal()
        {
            var semaphore = new ThreadSemaphore(0, null, bounded: false);
            Assert.False(semaphore.IsBounded);
            Assert.False(semaphore.Acquire(0));
            var threads = new TestThreads();
            var waiters = new ConcurrentBag<WaitingThread>();
            threads.Start(() =>
            {
                waiters.Add(WaitingThread.Current());
                Assert.True(semaphore.Acquire(20));
            });

            // Released only once the waiter blocks: a release before its Acquire would let it through without waking it.
            WaitUntilBlocked(waiters, 1, semaphore);
            semaphore.Release();
            threads.JoinAllAndRethrow();
        }

        [Fact]
        public void ReleasesPastTheCountAddPermits()
        {
            var semaphore = new ThreadSemaphore(1, null, bounded: false);
            semaphore.Release();
            semaphore.Release();
            Assert.Equal(3, semaphore.CurrentCount);
            Assert.True(semaphore.Acquire(0));
            Assert.True(semaphore.Acquire(0));
            Assert.True(semaphore.Acquire(0));
            Assert.False(semaphore.Acquire(0));
        }

        [Fact]
        public void ReleaseNLetsNWaitersThrough()
        {
            var semaphore = new ThreadSemaphore(0, null, bounded: false);
            int through = 0;
            var threads = new TestThreads();
            var waiters = new ConcurrentBag<WaitingThread>();
            threads.StartMany(3, _ =>
            {
                waiters.Add(WaitingThread.Current());
                Assert.True(semaphore.Acquire(20));
                System.Threading.Interlocked.Increment(ref through);
            });
            WaitUntilBlocked(waiters, 3, semaphore);
            semaphore.Release(3);
            threads.JoinAllAndRethrow();
            Assert.Equal(3, through);
            Assert.Equal(0, semaphore.CurrentCount);
        }

        /// <summary>Waits (bounded) until <paramref name="count"/> threads wait for <paramref name="semaphore"/>, each inside its wait.</summary>
        private static void WaitUntilBlocked(ConcurrentBag<WaitingThread> waiters, int count, ThreadSemaphore semaphore) =>
            TestThreads.WaitUntil(
                () => waiters.Count == count && waiters.All(waiter => waiter.IsBlockedOn(semaphore)),
                $"{count} thread(s) block on the semaphore");

        /// <summary>A test thread as the module sees it and as .NET does.</summary>
        private sealed class WaitingThread
        {
            private readonly WorkerThread _seen = ThreadRegistry.Current;
            private readonly System.Threading.Thread _thread = System.Threading.Thread.CurrentThread;

            public static WaitingThread Current() => new WaitingThread();

            /// <summary>Shown as waiting for <paramref name="target"/> and asleep in a wait (not about to enter one).</summary>
            public bool IsBlockedOn(SyncPrimitive target) =>
                ReferenceEquals(_seen.WaitingFor, target) && (_thread.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0;
        }

        [Fact]
        public void ABoundedReleaseNOfMoreThanTakenReleasesNone()
        {
            var semaphore = new ThreadSemaphore(3);
            Assert.True(semaphore.Acquire(0));
            Assert.True(semaphore.Acquire(0));
            Assert.Throws<SemaphoreOverReleaseException>(() => semaphore.Release(3));
            Assert.Equal(1, semaphore.CurrentCount);
            semaphore.Release(2);
            Assert.Equal(3, semaphore.CurrentCount);
            Assert.Throws<ArgumentOutOfRangeException>(() => semaphore.Release(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadSemaphore(0));
        }

        [Fact]
        public void AReleasePastIntMaxValueIsRefusedAndLeavesTheCount()
        {
            // Issue 20: the count wrapped to -2147483648, and from then on no acquire could pass.
            var semaphore = new ThreadSemaphore(int.MaxValue, null, bounded: false);
            var error = Assert.Throws<SemaphoreOverReleaseException>(() => semaphore.Release());
            Assert.Equal(LockErrorId.SemaphoreOverRelease, error.ErrorId);
            Assert.Equal(int.MaxValue, semaphore.CurrentCount);
            Assert.Throws<SemaphoreOverReleaseException>(() => semaphore.Release(5));
            Assert.Equal(int.MaxValue, semaphore.CurrentCount);

            // A permit taken can be given back up to the limit, not past it; acquires still pass.
            Assert.True(semaphore.Acquire(0));
            Assert.Equal(int.MaxValue - 1, semaphore.CurrentCount);
            semaphore.Release();
            Assert.Equal(int.MaxValue, semaphore.CurrentCount);
            Assert.True(semaphore.Acquire(1));
            Assert.Throws<SemaphoreOverReleaseException>(() => semaphore.Release(2));
            Assert.Equal(int.MaxValue - 1, semaphore.CurrentCount);
        }

        [Fact]
        public void ReleaseNCostsTheSameWhateverNAndStopsAtTheLimit()
        {
            var semaphore = new ThreadSemaphore(0, null, bounded: false);
            Assert.False(semaphore.Acquire(0));
            var clock = Stopwatch.StartNew();
            semaphore.Release(int.MaxValue - 3);
            semaphore.Release(3);
            clock.Stop();

            // One permit at a time, this took seconds (Release(2e8) 1.1-3.3 s); now it is one addition.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Release(n) took {clock.Elapsed}");
            Assert.Equal(int.MaxValue, semaphore.CurrentCount);
            Assert.Throws<SemaphoreOverReleaseException>(() => semaphore.Release(1));
            Assert.Equal(int.MaxValue, semaphore.CurrentCount);
            Assert.True(semaphore.Acquire(0));
        }

        [Fact]
        public void AReleaseNOverTheLimitReleasesNoneOfTheHeldPermits()
        {
            var semaphore = new ThreadSemaphore(int.MaxValue, null, bounded: false);
            Assert.True(semaphore.Acquire(0));
            Assert.True(semaphore.Acquire(0));
            Assert.Equal(int.MaxValue - 2, semaphore.CurrentCount);

            Assert.Throws<SemaphoreOverReleaseException>(() => semaphore.Release(3));
            Assert.Equal(int.MaxValue - 2, semaphore.CurrentCount);
            Assert.Equal(2, semaphore.Holders.Count);
            semaphore.Release(2);
            Assert.Equal(int.MaxValue, semaphore.CurrentCount);
            Assert.Empty(semaphore.Holders);
        }
    }
}

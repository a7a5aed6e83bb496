using System;
using PSThreading.Core.Sync;
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
            threads.Start(() => Assert.True(semaphore.Acquire(20)));
            System.Threading.Thread.Sleep(100);
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
            threads.StartMany(3, _ =>
            {
                Assert.True(semaphore.Acquire(20));
                System.Threading.Interlocked.Increment(ref through);
            });
            System.Threading.Thread.Sleep(200);
            semaphore.Release(3);
            threads.JoinAllAndRethrow();
            Assert.Equal(3, through);
            Assert.Equal(0, semaphore.CurrentCount);
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
    }
}

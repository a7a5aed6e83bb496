using System;
using System.Threading;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    [Collection(LockCollection.Name)]
    public sealed class ThreadSemaphoreTests
    {
        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        public void CountBelowOneIsAnError(int count)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadSemaphore(count));
        }

        [Fact]
        public void CountsFollowAcquiresAndReleases()
        {
            var semaphore = new ThreadSemaphore(3);
            Assert.Equal(3, semaphore.Count);
            Assert.Equal(3, semaphore.CurrentCount);
            semaphore.Acquire();
            semaphore.Acquire();
            Assert.Equal(1, semaphore.CurrentCount);
            Assert.Equal(2, semaphore.Holders.Count);
            Assert.Single(ThreadRegistry.Current.HeldLocks, semaphore);
            semaphore.Release();
            Assert.Equal(2, semaphore.CurrentCount);
            semaphore.Release();
            Assert.Equal(3, semaphore.CurrentCount);
            Assert.DoesNotContain(semaphore, ThreadRegistry.Current.HeldLocks);
        }

        [Fact]
        public void TryAcquiresOnACountOfTwoGiveTrueTrueFalse()
        {
            var semaphore = new ThreadSemaphore(2);
            Assert.True(semaphore.Acquire(0));
            Assert.True(semaphore.Acquire(0));
            Assert.False(semaphore.Acquire(0));
            semaphore.Release();
            semaphore.Release();
        }

        [Fact]
        public void EachReleaseLetsExactlyOneWaiterThrough()
        {
            var semaphore = new ThreadSemaphore(1);
            semaphore.Acquire();
            int through = 0;
            var threads = new TestThreads();
            threads.StartMany(3, _ =>
            {
                semaphore.Acquire();
                Interlocked.Increment(ref through);
            });

            Thread.Sleep(200);
            Assert.Equal(0, Volatile.Read(ref through));
            for (int released = 1; released <= 3; released++)
            {
                semaphore.Release();
                int expected = released;
                TestThreads.WaitUntil(() => Volatile.Read(ref through) == expected, $"{expected} waiter(s) got through");
                Thread.Sleep(200);
                Assert.Equal(expected, Volatile.Read(ref through));
            }

            threads.JoinAllAndRethrow();
            Assert.Equal(0, semaphore.CurrentCount);
            semaphore.Release();
            Assert.Equal(1, semaphore.CurrentCount);
        }

        [Fact]
        public void ReleasingMoreThanWasAcquiredIsAnError()
        {
            var semaphore = new ThreadSemaphore(2);
            semaphore.Acquire();
            semaphore.Release();
            var error = Assert.Throws<SemaphoreOverReleaseException>(() => semaphore.Release());
            Assert.Equal("SemaphoreOverRelease", error.ErrorId);
            Assert.Contains("2", error.Message);
            Assert.Equal(2, semaphore.CurrentCount);
        }

        [Fact]
        public void AnotherThreadMayReleaseAPermit()
        {
            var semaphore = new ThreadSemaphore(1);
            semaphore.Acquire();
            var threads = new TestThreads();
            threads.Start(() => semaphore.Release());
            threads.JoinAllAndRethrow();
            Assert.Equal(1, semaphore.CurrentCount);
            Assert.DoesNotContain(semaphore, ThreadRegistry.Current.HeldLocks);
        }

        [Fact]
        public void TenThreadsOnACountOfThreeNeverHaveMoreThanThreeInside()
        {
            var semaphore = new ThreadSemaphore(3);
            int inside = 0;
            int most = 0;
            var threads = new TestThreads();
            threads.StartMany(10, _ =>
            {
                for (int i = 0; i < 200; i++)
                {
                    semaphore.Acquire();
                    int now = Interlocked.Increment(ref inside);
                    int seen;
                    while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
                    {
                    }

                    Thread.SpinWait(200);
                    if (i % 20 == 0)
                    {
                        Thread.Sleep(1);
                    }

                    Interlocked.Decrement(ref inside);
                    semaphore.Release();
                }
            });
            threads.JoinAllAndRethrow();
            Assert.InRange(most, 1, 3);
            Assert.Equal(3, semaphore.CurrentCount);
        }

        [Fact]
        public void TimedAcquireOfAFullSemaphoreReturnsFalse()
        {
            var semaphore = new ThreadSemaphore(1);
            semaphore.Acquire();
            bool? result = null;
            var threads = new TestThreads();
            threads.Start(() => result = semaphore.Acquire(0.2));
            threads.JoinAllAndRethrow();
            Assert.False(result);
            semaphore.Release();
        }
    }
}

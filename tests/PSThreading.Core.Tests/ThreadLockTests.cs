using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using Xunit;
using Xunit.Abstractions;

namespace PSThreading.Core.Tests
{
    [Collection(LockCollection.Name)]
    public sealed class ThreadLockTests
    {
        private readonly ITestOutputHelper _output;
        private int _counter;

        public ThreadLockTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void TryAcquireGetsAFreeLockAndFailsAtOnceOnAHeldOne()
        {
            var threadLock = new ThreadLock();
            Assert.True(threadLock.Acquire(0));
            Assert.True(threadLock.IsLocked);

            bool? other = null;
            var stopwatch = Stopwatch.StartNew();
            var threads = new TestThreads();
            threads.Start(() => other = threadLock.Acquire(0));
            threads.JoinAllAndRethrow();
            Assert.False(other);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2));
            threadLock.Release();
            Assert.False(threadLock.IsLocked);
        }

        [Fact]
        public void FiveWaitersStayBlockedUntilReleaseThenAllGetThrough()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            int through = 0;
            var threads = new TestThreads();
            threads.StartMany(5, _ =>
            {
                threadLock.Acquire();
                Interlocked.Increment(ref through);
                threadLock.Release();
            });

            Thread.Sleep(300);
            Assert.Equal(0, Volatile.Read(ref through));
            threadLock.Release();
            threads.JoinAllAndRethrow();
            Assert.Equal(5, through);
            Assert.False(threadLock.IsLocked);
        }

        [Fact]
        public void TimedAcquireOfAHeldLockReturnsFalseAfterAboutTheTimeout()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            bool? result = null;
            TimeSpan took = TimeSpan.Zero;
            var threads = new TestThreads();
            threads.Start(() =>
            {
                var stopwatch = Stopwatch.StartNew();
                result = threadLock.Acquire(0.5);
                took = stopwatch.Elapsed;
            });
            threads.JoinAllAndRethrow();
            Assert.False(result);
            Assert.InRange(took.TotalSeconds, 0.5 * 0.6, 0.5 * 10);
        }

        [Fact]
        public void LockStillWorksAfterATimedOutAcquire()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            var threads = new TestThreads();
            threads.Start(() => Assert.False(threadLock.Acquire(0.05)));
            threads.JoinAllAndRethrow();
            threadLock.Release();

            threads = new TestThreads();
            threads.Start(() =>
            {
                Assert.True(threadLock.Acquire(1));
                threadLock.Release();
            });
            threads.JoinAllAndRethrow();
            Assert.True(threadLock.Acquire(0));
            threadLock.Release();
        }

        [Fact]
        public void PlainLockMayBeReleasedByAnotherThread()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            WorkerThread me = ThreadRegistry.Current;
            Assert.Contains(threadLock, me.HeldLocks);

            var threads = new TestThreads();
            threads.Start(() => threadLock.Release());
            threads.JoinAllAndRethrow();
            Assert.False(threadLock.IsLocked);
            Assert.DoesNotContain(threadLock, me.HeldLocks);
            Assert.True(threadLock.Acquire(0));
            threadLock.Release();
        }

        [Fact]
        public void ReleasingAnUnheldLockFails()
        {
            var threadLock = new ThreadLock("unheld-" + Guid.NewGuid());
            var error = Assert.Throws<LockNotHeldException>(() => threadLock.Release());
            Assert.Equal("LockNotHeld", error.ErrorId);
            Assert.Contains(threadLock.Name, error.Message);
            Assert.Same(threadLock, error.Target);
        }

        [Fact]
        public void UntimedAcquireByTheHolderOfAPlainLockFailsAtOnce()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            var error = Assert.Throws<LockAlreadyHeldException>(() => threadLock.Acquire());
            Assert.Equal("LockAlreadyHeld", error.ErrorId);
            Assert.Contains("-Reentrant", error.Message);
            Assert.Equal(1, threadLock.Count);
            threadLock.Release();
        }

        [Fact]
        public void TimedOrTryAcquireByTheHolderOfAPlainLockReturnsFalse()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            Assert.False(threadLock.Acquire(0));
            var stopwatch = Stopwatch.StartNew();
            Assert.False(threadLock.Acquire(0.3));
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.3 * 0.6, 0.3 * 10);
            threadLock.Release();
            Assert.False(threadLock.IsLocked);
        }

        [Theory]
        [InlineData(-2.0)]
        [InlineData(-0.001)]
        [InlineData(double.NegativeInfinity)]
        [InlineData(double.NaN)]
        public void NegativeTimeoutIsAnError(double seconds)
        {
            var threadLock = new ThreadLock();
            var error = Assert.Throws<InvalidTimeoutException>(() => threadLock.Acquire(seconds));
            Assert.Equal("InvalidTimeout", error.ErrorId);
            Assert.Throws<InvalidTimeoutException>(() => threadLock.Acquire(TimeSpan.FromSeconds(-1), CancellationToken.None));
            Assert.False(threadLock.IsLocked);
        }

        [Fact]
        public void ReentrantLockNestsAndCounts()
        {
            var threadLock = new ThreadLock(reentrant: true);
            Assert.True(threadLock.IsReentrant);
            Assert.Equal("RLock", threadLock.Kind);
            for (int i = 1; i <= 3; i++)
            {
                Assert.True(threadLock.Acquire());
                Assert.Equal(i, threadLock.Count);
            }

            Assert.Same(ThreadRegistry.Current, threadLock.Owner);
            Assert.Single(ThreadRegistry.Current.HeldLocks, threadLock);
            for (int i = 2; i >= 0; i--)
            {
                threadLock.Release();
                Assert.Equal(i, threadLock.Count);
            }

            Assert.False(threadLock.IsLocked);
            Assert.Null(threadLock.Owner);
            Assert.Throws<LockNotHeldException>(() => threadLock.Release());
        }

        [Fact]
        public void ReentrantLockCannotBeReleasedByAnotherThread()
        {
            var threadLock = new ThreadLock(reentrant: true);
            threadLock.Acquire();
            LockNotOwnedException? error = null;
            var threads = new TestThreads();
            threads.Start(() => error = Assert.Throws<LockNotOwnedException>(() => threadLock.Release()));
            threads.JoinAllAndRethrow();
            Assert.Equal("LockNotOwned", error!.ErrorId);
            Assert.Contains(ThreadRegistry.Current.Name, error.Message);
            Assert.True(threadLock.IsLocked);
            threadLock.Release();
        }

        [Fact]
        public void ReentrantLockHeldByOneThreadBlocksAnother()
        {
            var threadLock = new ThreadLock(reentrant: true);
            threadLock.Acquire();
            threadLock.Acquire();
            bool? other = null;
            var threads = new TestThreads();
            threads.Start(() => other = threadLock.Acquire(0.1));
            threads.JoinAllAndRethrow();
            Assert.False(other);
            threadLock.Release();
            threadLock.Release();
        }

        [Fact]
        public void OwnerHeldSinceAndHeldLocksDescribeTheHolder()
        {
            var threadLock = new ThreadLock("described-" + Guid.NewGuid());
            Assert.Null(threadLock.HeldSince);
            DateTime before = DateTime.Now.AddSeconds(-1);
            threadLock.Acquire();
            Assert.Same(ThreadRegistry.Current, threadLock.Owner);
            Assert.InRange(threadLock.HeldSince!.Value, before, DateTime.Now.AddSeconds(1));
            Assert.Contains(ThreadRegistry.Current.Name, threadLock.Holders[0].ToString());
            threadLock.Release();
            Assert.Empty(threadLock.Holders);
        }

        [Fact]
        public void WaitingForShowsWhatABlockedThreadWaitsOn()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            WorkerThread? waiter = null;
            var threads = new TestThreads();
            threads.Start(() =>
            {
                waiter = ThreadRegistry.Current;
                threadLock.Acquire();
                threadLock.Release();
            });
            TestThreads.WaitUntil(() => waiter?.WaitingFor == threadLock, "the thread waits for the lock");
            threadLock.Release();
            threads.JoinAllAndRethrow();
            Assert.Null(waiter!.WaitingFor);
        }

        [Fact]
        public void CancellingAWaitEndsItAtOnceWithoutTakingTheLock()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            using var cancel = new CancellationTokenSource();
            TimeSpan took = TimeSpan.Zero;
            var stopwatch = new Stopwatch();
            WorkerThread? waiter = null;
            var threads = new TestThreads();
            threads.Start(() =>
            {
                waiter = ThreadRegistry.Current;
                Assert.Throws<OperationCanceledException>(() => threadLock.Acquire(null, cancel.Token));
                took = stopwatch.Elapsed;
            });
            TestThreads.WaitUntil(() => waiter?.WaitingFor == threadLock, "the thread waits for the lock");
            stopwatch.Start();
            cancel.Cancel();
            threads.JoinAllAndRethrow();
            _output.WriteLine($"cancelled wait ended after {took.TotalMilliseconds:0.0} ms");
            Assert.True(took < TimeSpan.FromSeconds(1), $"the wait took {took} to end");
            Assert.Same(ThreadRegistry.Current, threadLock.Owner);
            threadLock.Release();
        }

        [Fact]
        public void SixteenThreadsIncrementingUnderTheLockLoseNothing()
        {
            const int threadCount = 16;
            const int perThread = 100_000;
            var threadLock = new ThreadLock();
            _counter = 0;
            var stopwatch = Stopwatch.StartNew();
            var threads = new TestThreads();
            using var go = new ManualResetEventSlim();
            threads.StartMany(threadCount, _ =>
            {
                Assert.True(go.Wait(TestThreads.Patience));
                for (int i = 0; i < perThread; i++)
                {
                    threadLock.Acquire();
                    IncrementUnsafely();
                    threadLock.Release();
                }
            });
            go.Set();
            threads.JoinAllAndRethrow();
            _output.WriteLine($"{threadCount} x {perThread:N0} locked increments in {stopwatch.ElapsedMilliseconds} ms");
            Assert.Equal(threadCount * perThread, _counter);
        }

        [Fact]
        public void TheSameLoopWithoutTheLockLosesUpdates()
        {
            const int threadCount = 16;
            const int perThread = 100_000;
            // Proof that the locked test could see a loss. A run may interleave luckily (each try takes milliseconds): ten tries.
            int lowest = int.MaxValue;
            for (int attempt = 0; attempt < 10 && lowest == int.MaxValue; attempt++)
            {
                _counter = 0;
                var threads = new TestThreads();
                using var go = new ManualResetEventSlim();
                threads.StartMany(threadCount, _ =>
                {
                    // All start at once: a thread started alone could finish its loop before the next one runs.
                    Assert.True(go.Wait(TestThreads.Patience));
                    for (int i = 0; i < perThread; i++)
                    {
                        IncrementUnsafely();
                    }
                });
                go.Set();
                threads.JoinAllAndRethrow();
                if (_counter < threadCount * perThread)
                {
                    lowest = _counter;
                }
            }

            _output.WriteLine($"without the lock: {lowest:N0} of {threadCount * perThread:N0}");
            Assert.True(lowest < threadCount * perThread);
        }

        [Fact]
        public void UncontendedAcquireAndReleaseAreCheap()
        {
            var threadLock = new ThreadLock();
            const int rounds = 1_000_000;
            for (int i = 0; i < 10_000; i++)
            {
                threadLock.Acquire();
                threadLock.Release();
            }

            var stopwatch = Stopwatch.StartNew();
            for (int i = 0; i < rounds; i++)
            {
                threadLock.Acquire();
                threadLock.Release();
            }

            double nanoseconds = stopwatch.Elapsed.TotalMilliseconds * 1e6 / rounds;
            _output.WriteLine($"uncontended Acquire()+Release(): {nanoseconds:0} ns");
            // A loose bound: this is a shared, noisy machine; the figure above is what to read.
            Assert.True(nanoseconds < 20_000);
        }

        [Fact]
        public void UnnamedLocksGetDistinctNamesForMessages()
        {
            var first = new ThreadLock();
            var second = new ThreadLock(reentrant: true);
            Assert.False(first.IsNamed);
            Assert.StartsWith("Lock-", first.Name);
            Assert.StartsWith("RLock-", second.Name);
            Assert.NotEqual(first.Name, second.Name);
            Assert.Throws<ArgumentException>(() => new ThreadLock(" "));
        }

        private void IncrementUnsafely()
        {
            // A read and a separate write: another thread's write in between is lost.
            int value = Volatile.Read(ref _counter);
            Thread.SpinWait(4);
            Volatile.Write(ref _counter, value + 1);
        }
    }
}

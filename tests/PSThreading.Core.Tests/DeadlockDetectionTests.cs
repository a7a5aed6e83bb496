using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using Xunit;
using Xunit.Abstractions;

namespace PSThreading.Core.Tests
{
    [Collection(LockCollection.Name)]
    public sealed class DeadlockDetectionTests
    {
        // Every wait in these tests is bounded: a missed deadlock fails the test instead of hanging it. The
        // bound is a token, not a timeout: a timed wait is never failed by detection, so it would test nothing.
        private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(15);

        private readonly ITestOutputHelper _output;

        public DeadlockDetectionTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Theory]
        [InlineData(2, false)]
        [InlineData(2, true)]
        [InlineData(3, false)]
        [InlineData(3, true)]
        public void ACycleOfThreadsFailsExactlyOneWaitNamingTheCycle(int size, bool reentrant)
        {
            SyncPrimitive[] locks = Enumerable.Range(1, size)
                .Select(i => (SyncPrimitive)new ThreadLock($"cycle{size}-L{i}-{Guid.NewGuid():N}", reentrant))
                .ToArray();
            CycleOutcome outcome = RunCycle(locks);

            Assert.Single(outcome.Deadlocks);
            Assert.Equal(size - 1, outcome.Completed);
            Assert.Empty(outcome.TimedOut);
            DeadlockException error = outcome.Deadlocks[0];
            Assert.Equal("Deadlock", error.ErrorId);
            Assert.Equal(size, error.Cycle.Count);
            Assert.Equal(size, error.Threads.Distinct().Count());
            Assert.Equal(locks.OrderBy(l => l.Name), error.Locks.OrderBy(l => l.Name));
            foreach (SyncPrimitive primitive in locks)
            {
                Assert.Contains(primitive.Name, error.Message);
            }

            foreach (WorkerThread thread in error.Threads)
            {
                Assert.Contains(thread.Name, error.Message);
            }

            _output.WriteLine(error.Message);
            _output.WriteLine($"detected {outcome.Latency.TotalMilliseconds:0} ms after the cycle closed");
            Assert.True(outcome.Latency < TimeSpan.FromSeconds(3), $"detection took {outcome.Latency}");
        }

        [Fact]
        public void ACycleThroughASemaphoreIsDetected()
        {
            var semaphore = new ThreadSemaphore(1, "cycle-S-" + Guid.NewGuid().ToString("N"));
            var threadLock = new ThreadLock("cycle-L-" + Guid.NewGuid().ToString("N"));
            CycleOutcome outcome = RunCycle(new SyncPrimitive[] { semaphore, threadLock });
            Assert.Single(outcome.Deadlocks);
            Assert.Equal(1, outcome.Completed);
        }

        [Fact]
        public void HeavyContentionInOneLockOrderIsNeverReportedAsDeadlock()
        {
            ThreadLock[] locks = Enumerable.Range(1, 4).Select(i => new ThreadLock($"ordered-{i}")).ToArray();
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            int rounds = 0;
            var threads = new TestThreads();
            threads.StartMany(8, index =>
            {
                var random = new Random(index);
                while (DateTime.UtcNow < until)
                {
                    int first = random.Next(locks.Length);
                    int second = random.Next(first, locks.Length);
                    Assert.True(locks[first].Acquire(null, Bounded.Token()));
                    try
                    {
                        if (second != first)
                        {
                            Assert.True(locks[second].Acquire(null, Bounded.Token()));
                        }

                        // Long holds now and then make waits outlast the detection interval, so detection runs.
                        if (random.Next(50) == 0)
                        {
                            Thread.Sleep(random.Next(50, 300));
                        }

                        Interlocked.Increment(ref rounds);
                        if (second != first)
                        {
                            locks[second].Release();
                        }
                    }
                    finally
                    {
                        locks[first].Release();
                    }
                }
            });
            threads.JoinAllAndRethrow();
            _output.WriteLine($"{rounds:N0} rounds without a deadlock report");
            Assert.True(rounds > 0);
        }

        [Fact]
        public void ALongChainWithoutACycleIsNotADeadlock()
        {
            // A waits for L1 held by B, B waits for L2 held by C, C sleeps past two detection intervals.
            var first = new ThreadLock("chain-1");
            var second = new ThreadLock("chain-2");
            var cHolds = new ManualResetEventSlim();
            var bHolds = new ManualResetEventSlim();
            var threads = new TestThreads();
            threads.Start(() =>
            {
                second.Acquire();
                cHolds.Set();
                Thread.Sleep(1200);
                second.Release();
            });
            Assert.True(cHolds.Wait(s_bound));
            threads.Start(() =>
            {
                first.Acquire();
                bHolds.Set();
                Assert.True(second.Acquire(null, Bounded.Token()));
                second.Release();
                first.Release();
            });
            Assert.True(bHolds.Wait(s_bound));
            threads.Start(() =>
            {
                Assert.True(first.Acquire(null, Bounded.Token()));
                first.Release();
            });
            threads.JoinAllAndRethrow();
        }

        [Fact]
        public void ASemaphoreWithOneRunningHolderIsNotADeadlock()
        {
            // B waits for S, held by A (waiting for L, held by B) and by C, which runs and will release.
            var semaphore = new ThreadSemaphore(2, "or-S");
            var threadLock = new ThreadLock("or-L");
            var holds = new CountdownEvent(3);
            var threads = new TestThreads();
            threads.Start(() =>
            {
                semaphore.Acquire();
                holds.Signal();
                holds.Wait(s_bound);
                Thread.Sleep(1200);
                semaphore.Release();
            });
            threads.Start(() =>
            {
                semaphore.Acquire();
                holds.Signal();
                holds.Wait(s_bound);
                Assert.True(threadLock.Acquire(null, Bounded.Token()));
                threadLock.Release();
                semaphore.Release();
            });
            threads.Start(() =>
            {
                threadLock.Acquire();
                holds.Signal();
                holds.Wait(s_bound);
                Thread.Sleep(50);
                Assert.True(semaphore.Acquire(null, Bounded.Token()));
                semaphore.Release();
                threadLock.Release();
            });
            threads.JoinAllAndRethrow();
        }

        [Fact]
        public void ATimedWaitOnALockTheThreadHoldsItselfTimesOutWithoutADeadlockReport()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            var stopwatch = Stopwatch.StartNew();
            Assert.False(threadLock.Acquire(1.0));
            Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(0.6));
            threadLock.Release();
        }

        [Fact]
        public void AThreadWaitingBehindACycleIsNotTheOneToFail()
        {
            var first = new ThreadLock("behind-1-" + Guid.NewGuid().ToString("N"));
            var second = new ThreadLock("behind-2-" + Guid.NewGuid().ToString("N"));
            var bystanderErrors = new List<Exception>();
            var bystanderStarted = new ManualResetEventSlim();
            var threads = new TestThreads();
            // The bystander waits for the first lock from the start, so its wait is the oldest of all.
            first.Acquire();
            threads.Start(() =>
            {
                bystanderStarted.Set();
                try
                {
                    Assert.True(first.Acquire(null, Bounded.Token()));
                    first.Release();
                }
                catch (Exception ex)
                {
                    lock (bystanderErrors)
                    {
                        bystanderErrors.Add(ex);
                    }
                }
            });
            Assert.True(bystanderStarted.Wait(s_bound));
            first.Release();
            CycleOutcome outcome = RunCycle(new SyncPrimitive[] { first, second });
            threads.JoinAllAndRethrow();
            Assert.Single(outcome.Deadlocks);
            Assert.Empty(bystanderErrors);
        }

        /// <summary>Thread i takes lock i, then (once all hold theirs) waits for lock i+1.</summary>
        private static CycleOutcome RunCycle(SyncPrimitive[] locks)
        {
            int size = locks.Length;
            var outcome = new CycleOutcome();
            using var allHold = new CountdownEvent(size);
            var closed = new Stopwatch();
            var threads = new TestThreads();
            threads.StartMany(size, i =>
            {
                locks[i].Acquire();
                try
                {
                    allHold.Signal();
                    Assert.True(allHold.Wait(s_bound));
                    closed.Start();
                    SyncPrimitive next = locks[(i + 1) % size];
                    try
                    {
                        if (next.Acquire(null, Bounded.Token()))
                        {
                            next.Release();
                            Interlocked.Increment(ref outcome.Completed);
                        }
                        else
                        {
                            outcome.Add(outcome.TimedOut, next);
                        }
                    }
                    catch (DeadlockException ex)
                    {
                        outcome.Latency = closed.Elapsed;
                        outcome.Add(outcome.Deadlocks, ex);
                    }
                }
                finally
                {
                    locks[i].Release();
                }
            });
            threads.JoinAllAndRethrow();
            return outcome;
        }

        private sealed class CycleOutcome
        {
            public int Completed;

            public List<DeadlockException> Deadlocks { get; } = new List<DeadlockException>();

            public List<SyncPrimitive> TimedOut { get; } = new List<SyncPrimitive>();

            public TimeSpan Latency { get; set; }

            public void Add<T>(List<T> list, T item)
            {
                lock (list)
                {
                    list.Add(item);
                }
            }
        }
    }
}

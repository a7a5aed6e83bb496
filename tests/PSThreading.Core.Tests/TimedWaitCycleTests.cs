using System;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>A timed wait ends by itself: deadlock detection leaves it to its timeout (Python's back-off pattern).</summary>
    [Collection(LockCollection.Name)]
    public sealed class TimedWaitCycleTests
    {
        [Fact]
        public void TwoTimedWaitsInACycleEndAtTheirTimeoutsWithoutADeadlock()
        {
            var first = new ThreadLock("timed-1-" + Guid.NewGuid().ToString("N"));
            var second = new ThreadLock("timed-2-" + Guid.NewGuid().ToString("N"));
            var results = new bool?[2];
            var waited = new TimeSpan[2];
            RunCycle(first, second, (i, next) =>
            {
                var clock = Stopwatch.StartNew();
                // Long enough for several detection looks (every 0.2 s) on the closed cycle.
                results[i] = next.Acquire(1.5);
                waited[i] = clock.Elapsed;
                if (results[i] == true)
                {
                    next.Release();
                }
            });

            // No Deadlock: the first to time out gets false after its timeout, releases its lock on the way out,
            // and the other may then take it (true) or time out too.
            Assert.All(results, r => Assert.NotNull(r));
            for (int i = 0; i < 2; i++)
            {
                if (results[i] == false)
                {
                    Assert.True(waited[i] >= TimeSpan.FromSeconds(1.2), $"thread {i} returned false after {waited[i]}");
                }
            }

            Assert.Contains(false, results);
        }

        [Fact]
        public void InACycleOfATimedAndAnUntimedWaitOnlyTheUntimedOneIsFailed()
        {
            var first = new ThreadLock("mixed-1-" + Guid.NewGuid().ToString("N"));
            var second = new ThreadLock("mixed-2-" + Guid.NewGuid().ToString("N"));
            Exception? timedError = null;
            Exception? untimedError = null;
            bool? timedResult = null;
            RunCycle(first, second, (i, next) =>
            {
                if (i == 0)
                {
                    // Starts after the untimed wait, so it is the younger one: it must still not be the one failed.
                    Thread.Sleep(300);
                    try
                    {
                        // Longer than detection needs, so that the untimed wait is the one that ends the cycle.
                        timedResult = next.Acquire(8.0);
                        if (timedResult == true)
                        {
                            next.Release();
                        }
                    }
                    catch (Exception ex)
                    {
                        timedError = ex;
                    }
                }
                else
                {
                    try
                    {
                        next.Acquire(null, Bounded.Token());
                        next.Release();
                    }
                    catch (Exception ex)
                    {
                        untimedError = ex;
                    }
                }
            });

            Assert.Null(timedError);
            Assert.IsType<DeadlockException>(untimedError);
            Assert.True(timedResult, "the timed wait should take the lock once the untimed one gave up and released");
        }

        /// <summary>Thread i takes lock i, then (once both hold theirs) runs <paramref name="waitForOther"/> on the other lock.</summary>
        private static void RunCycle(ThreadLock first, ThreadLock second, Action<int, ThreadLock> waitForOther)
        {
            ThreadLock[] locks = { first, second };
            using var bothHold = new CountdownEvent(2);
            var threads = new TestThreads();
            threads.StartMany(2, i =>
            {
                locks[i].Acquire();
                try
                {
                    bothHold.Signal();
                    Assert.True(bothHold.Wait(Bounded.Wait));
                    waitForOther(i, locks[1 - i]);
                }
                finally
                {
                    locks[i].Release();
                }
            });
            threads.JoinAllAndRethrow();
        }
    }
}

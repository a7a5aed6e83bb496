using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>A join is a wait for a thread: it shows on the joiner and closes cycles that detection reports.</summary>
    [Collection(LockCollection.Name)]
    public sealed class JoinDeadlockTests
    {
        [Fact]
        public void AJoinShowsAsWaitingForTheJoinedThread()
        {
            using var release = new ManualResetEventSlim();
            WorkerThread sleeper = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => release.Wait(Bounded.Wait)));
            WorkerThread? joiner = null;
            var threads = new TestThreads();
            threads.Start(() =>
            {
                joiner = ThreadRegistry.Current;
                Assert.True(sleeper.Join(Bounded.Wait, CancellationToken.None));
            });
            TestThreads.WaitUntil(() => joiner?.WaitingForThread != null, "the joiner waits");
            Assert.Same(sleeper, joiner!.WaitingForThread);
            Assert.Null(joiner.WaitingFor);
            release.Set();
            threads.JoinAllAndRethrow();
            Assert.Null(joiner.WaitingForThread);
        }

        [Fact]
        public void HoldingALockWhileJoiningAThreadThatWaitsForItIsADeadlock()
        {
            var threadLock = new ThreadLock("join-cycle-" + Guid.NewGuid().ToString("N"));
            WorkerThread? joiner = null;
            WorkerThread? worker = null;
            Exception? joinError = null;
            var clock = new Stopwatch();
            RunHolding(threadLock, () =>
            {
                joiner = ThreadRegistry.Current;
                worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() =>
                {
                    threadLock.Acquire(null, Bounded.Token());
                    threadLock.Release();
                }));
                TestThreads.WaitUntil(() => worker.WaitingFor != null, "the worker waits for the lock");
                clock.Start();
                try
                {
                    // Untimed, bounded by a token: the join is the younger wait, so it is the one given up.
                    worker.Join(null, Bounded.Token());
                }
                catch (Exception ex)
                {
                    joinError = ex;
                }
            });
            Bounded.Join(worker!);

            DeadlockException deadlock = Assert.IsType<DeadlockException>(joinError);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"detection took {clock.Elapsed}");
            Assert.Equal(2, deadlock.Cycle.Count);
            Assert.Same(joiner, deadlock.Cycle[0].Thread);
            Assert.Same(worker, deadlock.Cycle[0].WaitsForThread);
            Assert.Same(threadLock, deadlock.Cycle[1].WaitsFor);
            Assert.Equal(new[] { threadLock }, deadlock.Locks);
            Assert.Contains($"waits for thread '{worker!.Name}'", deadlock.Message);
            // The worker got the lock once the join gave up and its thread released it.
            Assert.Equal(WorkerState.Completed, worker.State);
        }

        [Fact]
        public void WhenTheLockWaitIsYoungerTheWorkerFailsAndTheJoinReturns()
        {
            var threadLock = new ThreadLock("join-cycle-young-" + Guid.NewGuid().ToString("N"));
            using var joining = new ManualResetEventSlim();
            WorkerThread? worker = null;
            bool? joined = null;
            RunHolding(threadLock, () =>
            {
                worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() =>
                {
                    joining.Wait(Bounded.Wait);
                    Thread.Sleep(100);
                    threadLock.Acquire(null, Bounded.Token());
                    threadLock.Release();
                }));
                joining.Set();
                joined = worker.Join(null, Bounded.Token());
            });

            Assert.True(joined);
            Assert.Equal(WorkerState.Failed, worker!.State);
            Assert.IsType<DeadlockException>(worker.Error);
        }

        [Fact]
        public void ATimedJoinInACycleIsLeftToItsTimeout()
        {
            var threadLock = new ThreadLock("join-timed-" + Guid.NewGuid().ToString("N"));
            WorkerThread? worker = null;
            bool? joined = null;
            RunHolding(threadLock, () =>
            {
                worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() =>
                {
                    if (threadLock.Acquire(3.0))
                    {
                        threadLock.Release();
                    }
                }));
                TestThreads.WaitUntil(() => worker.WaitingFor != null, "the worker waits for the lock");
                joined = worker.Join(TimeSpan.FromSeconds(1.2), CancellationToken.None);
            });
            Bounded.Join(worker!);

            Assert.False(joined);
            Assert.Equal(WorkerState.Completed, worker!.State);
        }

        /// <summary>On a test thread: takes the lock, runs <paramref name="whileHeld"/>, releases it.</summary>
        private static void RunHolding(ThreadLock threadLock, Action whileHeld)
        {
            var threads = new TestThreads();
            threads.Start(() =>
            {
                threadLock.Acquire();
                try
                {
                    whileHeld();
                }
                finally
                {
                    threadLock.Release();
                }
            });
            threads.JoinAllAndRethrow();
        }
    }
}

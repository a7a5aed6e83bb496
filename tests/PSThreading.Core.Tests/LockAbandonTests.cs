using System;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    [Collection(LockCollection.Name)]
    public sealed class LockAbandonTests
    {
        [Fact]
        public void AReentrantLockHeldByAnEndedWorkerIsFreedAndMarkedAbandoned()
        {
            var threadLock = new ThreadLock(reentrant: true);
            WorkerThread worker = ThreadRegistry.StartWorker("abandoner", isDaemon: true, new DelegateBody(() =>
            {
                threadLock.Acquire();
                threadLock.Acquire();
            }));
            Assert.True(worker.Join(TestThreads.Patience, default));

            Assert.False(threadLock.IsLocked);
            Assert.Empty(worker.HeldLocks);
            Assert.True(threadLock.Acquire(0));
            Assert.True(threadLock.Abandoned);
            Assert.Equal("abandoner", threadLock.AbandonedBy);
            threadLock.Release();
            Assert.False(threadLock.Abandoned);
            Assert.True(threadLock.Acquire(0));
            Assert.False(threadLock.Abandoned);
            threadLock.Release();
        }

        [Fact]
        public void AWaiterIsLetInWhenTheHolderEnds()
        {
            var threadLock = new ThreadLock(reentrant: true);
            var holding = new System.Threading.ManualResetEventSlim();
            var finish = new System.Threading.ManualResetEventSlim();
            WorkerThread worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() =>
            {
                threadLock.Acquire();
                holding.Set();
                finish.Wait(TestThreads.Patience);
            }));
            Assert.True(holding.Wait(TestThreads.Patience));
            Assert.Contains(threadLock, worker.HeldLocks);
            finish.Set();
            Assert.True(threadLock.Acquire(TestThreads.Patience, default));
            Assert.True(threadLock.Abandoned);
            threadLock.Release();
        }

        [Fact]
        public void APlainLockHeldByAWorkerThatFailedIsFreedAndMarkedAbandoned()
        {
            var threadLock = new ThreadLock();
            WorkerThread worker = ThreadRegistry.StartWorker("failer", isDaemon: true, new DelegateBody(() =>
            {
                threadLock.Acquire();
                throw new InvalidOperationException("half-way through");
            }));
            Assert.True(worker.Join(TestThreads.Patience, default));

            Assert.Equal(WorkerState.Failed, worker.State);
            Assert.False(threadLock.IsLocked);
            Assert.False(threadLock.Abandoned);
            Assert.True(threadLock.Acquire(0));
            Assert.True(threadLock.Abandoned);
            Assert.Equal("failer", threadLock.AbandonedBy);
            Assert.Equal("failer", threadLock.AbandonedByFor(ThreadRegistry.Current));
            threadLock.Release();
            Assert.True(threadLock.Acquire(0));
            Assert.False(threadLock.Abandoned);
            threadLock.Release();
        }

        [Fact]
        public void APlainLockHeldByAStoppedWorkerLetsAWaiterIn()
        {
            var threadLock = new ThreadLock();
            var holding = new System.Threading.ManualResetEventSlim();
            WorkerThread worker = ThreadRegistry.StartWorker("stopped", isDaemon: true, new DelegateBody((t, stop) =>
            {
                threadLock.Acquire();
                holding.Set();
                stop.WaitHandle.WaitOne(TestThreads.Patience);
                stop.ThrowIfCancellationRequested();
            }));
            Assert.True(holding.Wait(TestThreads.Patience));
            var waiter = new BackgroundCall<bool>(() => threadLock.Acquire(TestThreads.Patience, default));
            Assert.True(worker.RequestStop());
            Assert.True(waiter.Join(TestThreads.Patience));
            Assert.True(waiter.Result);
            // The lock is freed just before the thread is marked ended: join before reading the state.
            Assert.True(worker.Join(TestThreads.Patience, default));
            Assert.Equal(WorkerState.Stopped, worker.State);
            Assert.Equal("stopped", threadLock.AbandonedBy);
        }

        [Fact]
        public void SemaphorePermitsOfAFailedWorkerComeBackMarkedForTheirNextTakers()
        {
            var semaphore = new ThreadSemaphore(3);
            WorkerThread worker = ThreadRegistry.StartWorker("greedy", isDaemon: true, new DelegateBody(() =>
            {
                semaphore.Acquire();
                semaphore.Acquire();
                throw new InvalidOperationException("boom");
            }));
            Assert.True(worker.Join(TestThreads.Patience, default));

            Assert.Equal(3, semaphore.CurrentCount);
            Assert.Empty(worker.HeldLocks);
            Assert.True(semaphore.Acquire(0));
            Assert.Equal("greedy", semaphore.AbandonedByFor(ThreadRegistry.Current));
            Assert.True(semaphore.Acquire(0));
            Assert.True(semaphore.Acquire(0));
            // Two permits were abandoned: the third taker got a clean one.
            Assert.Equal(2, System.Linq.Enumerable.Count(semaphore.Holders, h => h.AbandonedBy == "greedy"));
            semaphore.Release();
            semaphore.Release();
            semaphore.Release();
            Assert.False(semaphore.Abandoned);
        }

        [Fact]
        public void SemaphorePermitsOfACompletedWorkerStayHeldForAnotherThreadToRelease()
        {
            var semaphore = new ThreadSemaphore(2);
            WorkerThread worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => semaphore.Acquire()));
            Assert.True(worker.Join(TestThreads.Patience, default));
            Assert.Equal(1, semaphore.CurrentCount);
            semaphore.Release();
            Assert.Equal(2, semaphore.CurrentCount);
            Assert.False(semaphore.Abandoned);
        }

        [Fact]
        public void APlainLockTakenByACompletedWorkerStaysHeldForAnotherThreadToRelease()
        {
            var threadLock = new ThreadLock();
            WorkerThread worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => threadLock.Acquire()));
            Assert.True(worker.Join(TestThreads.Patience, default));
            Assert.True(threadLock.IsLocked);
            threadLock.Release();
            Assert.False(threadLock.IsLocked);
            Assert.False(threadLock.Abandoned);
        }

        [Fact]
        public void StoppingAWorkerEndsItsUntimedAcquire()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            WorkerThread worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => threadLock.Acquire()));
            TestThreads.WaitUntil(() => worker.WaitingFor == threadLock, "the worker waits for the lock");
            Assert.True(worker.RequestStop());
            Assert.True(worker.Join(TimeSpan.FromSeconds(5), default));
            Assert.Equal(WorkerState.Stopped, worker.State);
            Assert.Same(ThreadRegistry.Current, threadLock.Owner);
            threadLock.Release();
        }
    }
}

using System;
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
        public void APlainLockTakenByAnEndedWorkerStaysHeldForAnotherThreadToRelease()
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

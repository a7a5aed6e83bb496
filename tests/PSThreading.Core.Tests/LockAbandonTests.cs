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
            WorkerThread worker = ThreadRegistry.StartWorker("abandoner", isDaemon: true, new DelegateBody(_ =>
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
            WorkerThread worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(_ =>
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
            WorkerThread worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(_ => threadLock.Acquire()));
            Assert.True(worker.Join(TestThreads.Patience, default));
            Assert.True(threadLock.IsLocked);
            threadLock.Release();
            Assert.False(threadLock.IsLocked);
            Assert.False(threadLock.Abandoned);
        }

        private sealed class DelegateBody : IThreadBody
        {
            private readonly Action<WorkerThread> _run;

            public DelegateBody(Action<WorkerThread> run)
            {
                _run = run;
            }

            public void Run(WorkerThread thread) => _run(thread);

            public void RequestStop()
            {
            }
        }
    }
}

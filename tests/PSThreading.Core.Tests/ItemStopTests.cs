using System;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    public sealed class ItemStopTests
    {
        [Fact]
        public void StoppingAnItemCancelsItsTokenOnlyAndTheNextItemGetsAFreshOne()
        {
            var stop = new ItemStop();
            object first = new object();
            object second = new object();
            stop.Begin(first);
            CancellationToken firstToken = stop.Token;
            stop.Stop(first);
            Assert.True(firstToken.IsCancellationRequested);

            stop.Begin(second);
            Assert.False(stop.Token.IsCancellationRequested);
            // A late stop for the earlier item does not reach the one running now.
            stop.Stop(first);
            Assert.False(stop.Token.IsCancellationRequested);
        }

        [Fact]
        public void AnItemStoppedBeforeItsWaitAskedForTheTokenGetsACancelledOne()
        {
            var stop = new ItemStop();
            object item = new object();
            stop.Begin(item);
            stop.Stop(item);
            Assert.True(stop.Token.IsCancellationRequested);
        }

        [Fact]
        public void StopAllCancelsTheItemRunningAndEveryLaterOne()
        {
            var stop = new ItemStop();
            stop.Begin(new object());
            CancellationToken token = stop.Token;
            stop.StopAll();
            Assert.True(token.IsCancellationRequested);
            stop.Begin(new object());
            Assert.True(stop.Token.IsCancellationRequested);
        }

        [Fact]
        public void APoolWorkersItemStopEndsAnUntimedAcquireWithoutTakingTheLock()
        {
            var threadLock = new ThreadLock();
            threadLock.Acquire();
            var stop = new ItemStop();
            object item = new object();
            Exception? error = null;
            WorkerThread? poolWorker = null;
            var threads = new TestThreads();
            threads.Start(() =>
            {
                poolWorker = ThreadRegistry.BeginPoolWorker("ItemStopTest_0");
                poolWorker.ItemStop = stop;
                stop.Begin(item);
                try
                {
                    threadLock.Acquire();
                }
                catch (Exception ex)
                {
                    error = ex;
                }
                finally
                {
                    ThreadRegistry.EndPoolWorker(poolWorker, WorkerState.Completed);
                }
            });
            TestThreads.WaitUntil(() => poolWorker?.WaitingFor != null, "the item waits");
            stop.Stop(item);
            threads.JoinAllAndRethrow();

            Assert.IsAssignableFrom<OperationCanceledException>(error);
            Assert.Same(ThreadRegistry.Current, threadLock.Owner);
            threadLock.Release();
        }
    }
}

using System;
using System.IO;
using System.Threading;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    public class WorkerThreadTests
    {
        [Fact]
        public void CompletedBodyEndsCompletedWithEndTime()
        {
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => { }));
            Bounded.Join(thread);

            Assert.Equal(WorkerState.Completed, thread.State);
            Assert.False(thread.IsAlive);
            Assert.NotNull(thread.EndTime);
            Assert.True(thread.EndTime >= thread.StartTime);
            Assert.Null(thread.Error);
        }

        [Fact]
        public void ThrowingBodyEndsFailedWithTheOriginalException()
        {
            var thrown = new IOException("disk gone");
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => throw thrown));
            Bounded.Join(thread);

            Assert.Equal(WorkerState.Failed, thread.State);
            Assert.Same(thrown, thread.Error);
        }

        [Fact]
        public void StopRequestEndsStoppedAndPassesThroughStopping()
        {
            using var started = new ManualResetEventSlim();
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody((t, stop) =>
            {
                started.Set();
                stop.WaitHandle.WaitOne(Bounded.Wait);
                stop.ThrowIfCancellationRequested();
            }));
            Assert.True(started.Wait(Bounded.Wait));

            Assert.True(thread.RequestStop());
            Bounded.Join(thread);

            Assert.Equal(WorkerState.Stopped, thread.State);
            Assert.False(thread.RequestStop());
        }

        [Fact]
        public void StateIsStoppingWhileTheBodyIgnoresTheRequest()
        {
            using var release = new ManualResetEventSlim();
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => release.Wait(Bounded.Wait)));

            thread.RequestStop();
            Assert.Equal(WorkerState.Stopping, thread.State);
            Assert.True(thread.IsAlive);

            release.Set();
            Bounded.Join(thread);
            Assert.Equal(WorkerState.Completed, thread.State);
        }

        [Fact]
        public void JoinWithTimeoutReturnsFalseWhileAlive()
        {
            using var release = new ManualResetEventSlim();
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => release.Wait(Bounded.Wait)));

            Assert.False(thread.Join(TimeSpan.FromMilliseconds(50), CancellationToken.None));
            Assert.True(thread.IsAlive);
            release.Set();
            Bounded.Join(thread);
        }

        [Fact]
        public void JoinIsCancellable()
        {
            using var release = new ManualResetEventSlim();
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => release.Wait(Bounded.Wait)));

            Assert.Throws<OperationCanceledException>(() => thread.Join(null, cancel.Token));
            release.Set();
            Bounded.Join(thread);
        }

        [Fact]
        public void JoiningItselfIsRefused()
        {
            Exception? seen = null;
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody((self, stop) =>
            {
                seen = Record.Exception(() => self.Join(TimeSpan.FromSeconds(5), CancellationToken.None));
            }));
            Bounded.Join(thread);

            Assert.IsType<InvalidOperationException>(seen);
        }

        [Fact]
        public void ResultsAreTakenOnceInOrder()
        {
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody((self, stop) =>
            {
                for (int i = 0; i < 100; i++)
                {
                    self.AddResult(i);
                }
            }));
            Bounded.Join(thread);

            object[] first = thread.TakeResults();
            Assert.Equal(100, first.Length);
            for (int i = 0; i < 100; i++)
            {
                Assert.Equal(i, first[i]);
            }

            Assert.Empty(thread.TakeResults());
        }

        [Fact]
        public void DaemonFlagMakesABackgroundThread()
        {
            bool? background = null;
            WorkerThread daemon = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => background = Thread.CurrentThread.IsBackground));
            Bounded.Join(daemon);
            Assert.True(background);

            WorkerThread foreground = ThreadRegistry.StartWorker(null, isDaemon: false, new DelegateBody(() => background = Thread.CurrentThread.IsBackground));
            Bounded.Join(foreground);
            Assert.False(background);
        }

        [Fact]
        public void IdIsTheManagedThreadIdOfTheWorker()
        {
            int seen = 0;
            WorkerThread thread = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody(() => seen = Environment.CurrentManagedThreadId));
            Bounded.Join(thread);
            Assert.Equal(thread.ManagedThreadId, seen);
        }
    }
}

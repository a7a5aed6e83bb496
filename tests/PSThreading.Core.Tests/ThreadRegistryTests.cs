using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    public class ThreadRegistryTests
    {
        [Fact]
        public void MainThreadIsNamedMainThreadAndListedFirst()
        {
            WorkerThread main = ThreadRegistry.EnsureMainThread();
            Assert.Equal("MainThread", main.Name);
            Assert.True(main.IsMainThread);
            Assert.Same(main, ThreadRegistry.Enumerate()[0]);
            Assert.Same(main, ThreadRegistry.EnsureMainThread());
        }

        [Fact]
        public void DefaultNamesAreUniqueUnderConcurrency()
        {
            var names = new ConcurrentBag<string>();
            Parallel.For(0, 2000, _ => names.Add(ThreadRegistry.NextThreadName()));
            Assert.Equal(2000, names.Distinct().Count());
            Assert.All(names, n => Assert.Matches(@"^Thread-\d+$", n));
        }

        [Fact]
        public void LiveWorkersAreListedInStartOrderAndDroppedWhenEnded()
        {
            using var release = new ManualResetEventSlim();
            WorkerThread[] threads = Enumerable.Range(0, 5)
                .Select(i => ThreadRegistry.StartWorker("order-" + i, isDaemon: true, new DelegateBody(() => release.Wait(Bounded.Wait))))
                .ToArray();

            List<string> listed = ThreadRegistry.Enumerate().Select(t => t.Name).Where(n => n.StartsWith("order-", StringComparison.Ordinal)).ToList();
            Assert.Equal(threads.Select(t => t.Name), listed);

            release.Set();
            foreach (WorkerThread thread in threads)
            {
                Bounded.Join(thread);
            }

            Assert.DoesNotContain(ThreadRegistry.Enumerate(), t => t.Name.StartsWith("order-", StringComparison.Ordinal));
        }

        [Fact]
        public void AnIdStaysListedUntilEveryWorkerWithItIsUnlisted()
        {
            // Inline workers have the calling thread's id: two of them share it, as no two threads can.
            int id = Environment.CurrentManagedThreadId;
            WorkerThread outer = ThreadRegistry.BeginInlineWorker("inline-outer", isDaemon: true, new DelegateBody(() => { }));
            WorkerThread inner = ThreadRegistry.BeginInlineWorker("inline-inner", isDaemon: true, new DelegateBody(() => { }));
            Assert.True(ThreadRegistry.IsListedId(id));
            inner.Finish(WorkerState.Completed);
            Assert.True(ThreadRegistry.IsListedId(id));
            outer.Finish(WorkerState.Completed);
            Assert.False(ThreadRegistry.IsListedId(id));
        }

        [Fact]
        public void CurrentIsTheWorkerInsideAWorker()
        {
            WorkerThread? inside = null;
            WorkerThread thread = ThreadRegistry.StartWorker("current-check", isDaemon: true, new DelegateBody(() => inside = ThreadRegistry.Current));
            Bounded.Join(thread);
            Assert.Same(thread, inside);
        }

        [Fact]
        public void ForeignThreadsGetOneStableUnlistedEntry()
        {
            WorkerThread? first = null;
            WorkerThread? second = null;
            var foreign = new Thread(() =>
            {
                first = ThreadRegistry.Current;
                second = ThreadRegistry.Current;
            });
            foreign.Start();
            Assert.True(foreign.Join(Bounded.Wait));

            Assert.NotNull(first);
            Assert.Same(first, second);
            Assert.Equal(ThreadKind.Foreign, first!.Kind);
            Assert.StartsWith("Dummy-", first.Name, StringComparison.Ordinal);
            Assert.DoesNotContain(ThreadRegistry.Enumerate(), t => ReferenceEquals(t, first));
        }

        [Fact]
        public void LiveIdsAreUniqueAndStatesSettleUnderConcurrentStartsAndStops()
        {
            var threads = new ConcurrentBag<WorkerThread>();
            Parallel.For(0, 64, i =>
            {
                threads.Add(ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody((self, stop) =>
                {
                    stop.WaitHandle.WaitOne(i % 2 == 0 ? TimeSpan.FromMilliseconds(1) : Bounded.Wait);
                    stop.ThrowIfCancellationRequested();
                })));
            });

            // Workers only: in a test host the main entry is whichever thread first touched the registry, and
            // that thread may have ended and its id been given to another.
            int[] liveIds = ThreadRegistry.Enumerate().Where(t => t.IsAlive && t.Kind == ThreadKind.Worker).Select(t => t.ManagedThreadId).ToArray();
            Assert.DoesNotContain(0, liveIds);
            Assert.Equal(liveIds.Length, liveIds.Distinct().Count());

            Parallel.ForEach(threads, t => t.RequestStop());
            foreach (WorkerThread thread in threads)
            {
                Bounded.Join(thread);
                Assert.Contains(thread.State, new[] { WorkerState.Completed, WorkerState.Stopped });
            }

            Assert.DoesNotContain(ThreadRegistry.Enumerate(), t => threads.Contains(t));
        }

        [Fact]
        public void PoolWorkersAreListedWhileAliveAndAreCurrentOnTheirThread()
        {
            WorkerThread? seenCurrent = null;
            WorkerThread? worker = null;
            bool listedWhileAlive = false;
            var thread = new Thread(() =>
            {
                worker = ThreadRegistry.BeginPoolWorker("ThreadPool-test_0");
                seenCurrent = ThreadRegistry.Current;
                listedWhileAlive = ThreadRegistry.Enumerate().Contains(worker);
                ThreadRegistry.EndPoolWorker(worker, WorkerState.Completed);
            });
            thread.Start();
            Assert.True(thread.Join(Bounded.Wait));

            Assert.Same(worker, seenCurrent);
            Assert.True(listedWhileAlive);
            Assert.DoesNotContain(ThreadRegistry.Enumerate(), t => ReferenceEquals(t, worker));
            Assert.Equal(WorkerState.Completed, worker!.State);
        }

        [Fact]
        public void NonDaemonWorkersAreWhatExitWaitsFor()
        {
            using var release = new ManualResetEventSlim();
            WorkerThread daemon = ThreadRegistry.StartWorker("exit-daemon", isDaemon: true, new DelegateBody(() => release.Wait(Bounded.Wait)));
            WorkerThread normal = ThreadRegistry.StartWorker("exit-normal", isDaemon: false, new DelegateBody(() => release.Wait(Bounded.Wait)));

            IReadOnlyList<WorkerThread> waitedFor = ThreadRegistry.LiveNonDaemonWorkers();
            Assert.Contains(normal, waitedFor);
            Assert.DoesNotContain(daemon, waitedFor);

            release.Set();
            Bounded.Join(daemon);
            Bounded.Join(normal);
        }
    }
}

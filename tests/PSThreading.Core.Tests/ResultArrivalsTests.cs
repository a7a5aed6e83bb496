using System;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>
    /// A join's wake-up for arriving results is owned by the join and set by the threads it watches: no join
    /// that times out and goes may make a watched thread's AddResult fail (issue 20).
    /// </summary>
    public class ResultArrivalsTests
    {
        [Fact]
        public void ANotifyAfterTheJoinDisposedItDoesNothing()
        {
            var arrivals = new ResultArrivals();
            arrivals.Dispose();

            Assert.Null(Record.Exception(() => arrivals.Notify()));
            arrivals.Dispose();
        }

        [Fact]
        public void TimedOutJoinsRacingAddResultNeverFailTheWorkerNorLoseAResult()
        {
            const int joins = 20000;
            long added = 0;
            var stopAdding = new ManualResetEventSlim();
            WorkerThread worker = ThreadRegistry.StartWorker(null, isDaemon: true, new DelegateBody((self, stop) =>
            {
                while (!stopAdding.IsSet && !stop.IsCancellationRequested)
                {
                    self.AddResult(added);
                    added++;
                }
            }));

            try
            {
                // Each join watches the worker, times out at once and disposes its wake-up while the worker keeps
                // adding: the window between the worker's read of its listeners and its set is hit many times.
                var clock = Stopwatch.StartNew();
                int taken = 0;
                for (int i = 0; i < joins && worker.IsAlive && clock.Elapsed < TimeSpan.FromSeconds(10); i++)
                {
                    using (var arrivals = new ResultArrivals())
                    {
                        arrivals.Watch(worker);
                        worker.JoinOrWake(TimeSpan.Zero, CancellationToken.None, arrivals.Handle);
                    }

                    // Taken now and then, as a polling Wait-WorkerThread does, so memory stays bounded.
                    if (i % 64 == 0)
                    {
                        taken += worker.TakeResults().Length;
                    }
                }

                stopAdding.Set();
                Bounded.Join(worker);
                taken += worker.TakeResults().Length;

                Assert.Null(worker.Error);
                Assert.Equal(WorkerState.Completed, worker.State);
                Assert.Equal(Interlocked.Read(ref added), taken);
            }
            finally
            {
                stopAdding.Set();
                worker.RequestStop();
            }
        }
    }
}

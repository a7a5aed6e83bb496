using System;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Runtime;

namespace PSThreading.Commands
{
    /// <summary>The join's part in a worker's prompts: a thread that shows Blocked waits for its joiner to ask.</summary>
    public sealed partial class WaitWorkerThreadCommand
    {
        /// <summary>
        /// <see cref="Join"/>, woken whenever the thread is Blocked on a prompt: what it queued so far (its output,
        /// then the prompt) is written and run here, on the pipeline thread, and the join goes on.
        /// </summary>
        private bool JoinAnswering(WorkerThread thread, TimeSpan? timeout)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                TimeSpan? left = timeout.HasValue ? Max(TimeSpan.Zero, timeout.Value - clock.Elapsed) : (TimeSpan?)null;
                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(CancelToken))
                {
                    RegisteredWaitHandle blocked = ThreadPool.RegisterWaitForSingleObject(
                        thread.NeedsJoinerHandle, (state, timedOut) => Cancel((CancellationTokenSource)state!), wake, System.Threading.Timeout.Infinite, executeOnlyOnce: true);
                    try
                    {
                        return Join(thread, left, wake.Token);
                    }
                    catch (OperationCanceledException) when (!CancelToken.IsCancellationRequested)
                    {
                        if (WriteResults(thread) == 0)
                        {
                            // Answered, and the thread has not yet left Blocked: a short pause, not a spin.
                            CancelToken.WaitHandle.WaitOne(15);
                        }
                    }
                    finally
                    {
                        blocked.Unregister(null);
                    }
                }
            }
        }

        private static void Cancel(CancellationTokenSource wake)
        {
            try
            {
                wake.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The join ended first.
            }
        }
    }
}

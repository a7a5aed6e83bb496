using System;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// A join as a wait of the wait-for graph: while it blocks, the joining thread shows as waiting for the
    /// joined one (Get-ActiveThread, <see cref="WorkerThread.WaitingForThread"/>), and an untimed join that
    /// closes a cycle (the joined thread waits, directly or not, for a lock the joiner holds) can be the wait
    /// that deadlock detection fails, as a lock wait can.
    /// </summary>
    internal static class ThreadJoin
    {
        public static JoinOutcome Wait(WorkerThread thread, TimeSpan? timeout, CancellationToken cancellationToken, WaitHandle? wake)
        {
            long deadline = WaitTimeout.Deadline(timeout);
            int checkEvery = WaitTimeout.ToMilliseconds(SyncPrimitive.DeadlockCheckInterval);
            WorkerThread self = ThreadRegistry.Current;
            var wait = new ThreadWait(new ThreadEnd(thread), self, timeout.HasValue);
            WaitGraph? suspect = null;
            using (BlockingWait stop = BlockingWait.Begin(cancellationToken))
            {
                WaitHandle[] handles = wake == null
                    ? new[] { thread.EndedHandle, stop.Token.WaitHandle }
                    : new[] { thread.EndedHandle, stop.Token.WaitHandle, wake };
                self.BeginWait(wait);
                try
                {
                    while (true)
                    {
                        long left = deadline - Stopwatch.GetTimestamp();
                        int slice = left <= 0 ? 0 : (int)Math.Min(checkEvery, Math.Ceiling(left * 1000.0 / Stopwatch.Frequency));
                        int signalled = WaitHandle.WaitAny(handles, slice);
                        if (signalled == 0)
                        {
                            return JoinOutcome.Ended;
                        }

                        if (signalled == 1)
                        {
                            stop.ThrowIfCancellationRequested();
                        }

                        if (signalled == 2)
                        {
                            return JoinOutcome.Woken;
                        }

                        if (Stopwatch.GetTimestamp() >= deadline)
                        {
                            return thread.IsAlive ? JoinOutcome.TimedOut : JoinOutcome.Ended;
                        }

                        suspect = DeadlockDetector.Look(wait, suspect);
                    }
                }
                finally
                {
                    self.EndWait(wait);
                }
            }
        }
    }
}

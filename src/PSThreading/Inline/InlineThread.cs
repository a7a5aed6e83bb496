using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Streams;
using PSThreading.Values;
using PSThreading.Workers;

namespace PSThreading.Inline
{
    /// <summary>
    /// Start-WorkerThread with <c>$PSThreadingMode = 'Inline'</c>: the block runs at once, on the caller's
    /// thread, before the command returns the thread. The thread is a worker like any other: listed while its
    /// block runs, then Completed or Failed, its output and errors kept for Wait-WorkerThread.
    /// </summary>
    internal sealed class InlineThread : IThreadBody, IThreadFailure
    {
        // How often a -Delay wait looks at Ctrl+C: the command has no token of its own.
        private static readonly TimeSpan s_delaySlice = TimeSpan.FromMilliseconds(50);

        private int _failureReported;

        private InlineThread()
        {
        }

        public ErrorRecord? FailureRecord { get; private set; }

        public bool TryClaimFailureReport() => Interlocked.Exchange(ref _failureReported, 1) == 0;

        /// <summary>
        /// Runs the block; the records it wrote to the other streams (warning, verbose, information...) go to
        /// <paramref name="writeRecord"/> once it has ended. A Ctrl+C stops it as Stopped and is thrown on.
        /// </summary>
        public static WorkerThread RunToEnd(
            PSCmdlet cmdlet, InlineScript script, object[]? arguments, string? name, bool isDaemon, TimeSpan? delay, bool holdHostOutput, Action<object> writeRecord)
        {
            var body = new InlineThread();
            WorkerThread thread = ThreadRegistry.BeginInlineWorker(name, isDaemon, body);
            var records = new List<object>();
            WorkerState outcome = WorkerState.Stopped;
            Exception? error = null;
            try
            {
                if (delay.HasValue)
                {
                    thread.Schedule(delay.Value);
                    WaitOut(cmdlet, delay.Value);
                    thread.EndSchedule();
                }

                object[] values = arguments == null ? Array.Empty<object>() : WorkerValues.InWorker(arguments, Runspace.DefaultRunspace);
                var invocation = new InlineInvocation();
                // Output and records, in the order written, are the thread's results, as a worker's are; host text
                // (Write-Host) is shown by the command unless -HoldHostOutput keeps it for the join too.
                InlineOutcome ended = invocation.Run(script, null, values, thread.AddResult, record =>
                {
                    if (!holdHostOutput && record is InformationRecord information && HostRecords.IsHostRecord(information))
                    {
                        records.Add(record);
                    }
                    else
                    {
                        thread.AddResult(record);
                    }
                },
                thread);
                if (ended == InlineOutcome.Failed && isDaemon && invocation.PolledForCaller)
                {
                    // A daemon that polls for the caller is left at its poll, as the script's end leaves a
                    // daemon in Threads mode: it has not failed, it has not run to its end.
                    outcome = WorkerState.Stopped;
                }
                else if (ended == InlineOutcome.Failed)
                {
                    body.FailureRecord = invocation.Error;
                    error = ThrownObject.ExceptionOf(invocation.Error!) ?? invocation.Error!.Exception;
                    outcome = WorkerState.Failed;
                }
                else
                {
                    outcome = ended == InlineOutcome.Completed ? WorkerState.Completed : WorkerState.Stopped;
                }
            }
            finally
            {
                thread.Finish(outcome, error);
                foreach (object record in records)
                {
                    writeRecord(record);
                }
            }

            return thread;
        }

        public void Run(WorkerThread thread)
        {
            // Never started on a thread of its own: the block ran in RunToEnd above.
        }

        public void RequestStop()
        {
            // The block runs on the caller's thread before the thread is returned: Ctrl+C is what stops it.
        }

        public void AfterEnd()
        {
        }

        private static void WaitOut(PSCmdlet cmdlet, TimeSpan delay)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < delay)
            {
                if (cmdlet.Stopping)
                {
                    throw new PipelineStoppedException();
                }

                TimeSpan left = delay - clock.Elapsed;
                Thread.Sleep(left < s_delaySlice ? left : s_delaySlice);
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Threads;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Stops worker threads as Ctrl+C would inside them, then waits up to 0.7 s for them to end. A thread
    /// stuck in a .NET call cannot be stopped from outside: it is reported as still Stopping, not as Stopped.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "WorkerThread", DefaultParameterSetName = ThreadLookup.ThreadSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(WorkerThread))]
    public sealed class StopWorkerThreadCommand : ThreadTargetCmdlet
    {
        // Short enough that the command itself returns within a second even for a thread that will not stop.
        private static readonly TimeSpan s_stopGrace = TimeSpan.FromMilliseconds(700);

        private readonly List<WorkerThread> _stopping = new List<WorkerThread>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ThreadLookup.ThreadSet)]
        [ThreadArgumentTransformation("Stop")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(WorkerThreadCompleter))]
        public WorkerThread[] Thread { get; set; } = null!;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (WorkerThread thread in ThreadsGiven(Thread))
            {
                if (thread == null)
                {
                    continue;
                }

                // A pool worker can be stopped too: its item ends as stopped, and the pool replaces it if items remain.
                if (thread.Kind != ThreadKind.Worker && thread.Kind != ThreadKind.PoolWorker)
                {
                    if (MyInvocation.ExpectingInput && ParameterSetName == ThreadLookup.ThreadSet)
                    {
                        // `Get-ActiveThread | Stop-WorkerThread` (the module's own advice) lists MainThread first:
                        // piped, a thread that is no worker is passed over, so the advice works as written.
                        WriteVerbose($"'{thread.Name}' is not a worker thread started by Start-WorkerThread: passed over.");
                        continue;
                    }

                    // Named on purpose: not terminating, the other threads given are still stopped.
                    WriteError(new ErrorRecord(
                        new InvalidOperationException($"'{thread.Name}' is not a worker thread started by Start-WorkerThread, so it cannot be stopped. Stop the command it runs instead (Ctrl+C)."),
                        ErrorIds.CannotStopThread,
                        ErrorCategory.InvalidOperation,
                        thread));
                    continue;
                }

                if (thread.IsAlive && ShouldProcess($"{thread.Name} (id {thread.ManagedThreadId})", "Stop"))
                {
                    thread.RequestStop();
                    _stopping.Add(thread);
                }
                else if (!thread.IsAlive && PassThru)
                {
                    WriteObject(thread);
                }
            }
        }

        protected override void EndProcessing()
        {
            // Requests went out as threads arrived; the grace period runs once for all of them.
            var clock = Stopwatch.StartNew();
            foreach (WorkerThread thread in _stopping)
            {
                if (thread.ManagedThreadId == Environment.CurrentManagedThreadId)
                {
                    // A worker stopping itself: it stops as this command returns, and cannot wait for that.
                    continue;
                }

                TimeSpan left = s_stopGrace - clock.Elapsed;
                try
                {
                    thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero, CancelToken);
                }
                catch (OperationCanceledException)
                {
                    ThrowIfStopping();
                }

                if (thread.IsAlive)
                {
                    WriteWarning($"Thread '{thread.Name}' (id {thread.ManagedThreadId}) is still stopping: it is inside a call that cannot be interrupted, and will stop when that call returns.");
                }

                if (PassThru)
                {
                    WriteObject(thread);
                }
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Threads;
using PSThreading.Errors;
using PSThreading.Runtime;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>join()</c>: waits for threads to end, then writes what they produced, thread by thread in
    /// the order given. Ctrl+C ends the wait at once and leaves the threads running.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "WorkerThread")]
    [OutputType(typeof(PSObject))]
    [OutputType(typeof(WorkerThread))]
    public sealed class WaitWorkerThreadCommand : CancellablePSCmdlet
    {
        // WaitHandle.WaitAny takes at most 64 handles, one of which is the cancellation token's.
        private const int MaxHandlesPerWait = 63;

        private readonly List<WorkerThread> _threads = new List<WorkerThread>();
        private readonly HashSet<WorkerThread> _seen = new HashSet<WorkerThread>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(WorkerThreadCompleter))]
        public WorkerThread[] Thread { get; set; } = null!;

        /// <summary>Seconds to wait at most (-1: no limit); threads still running then go on, and nothing is written for them.</summary>
        [Parameter]
        [ValidateTimeout]
        public double Timeout { get; set; } = ValidateTimeoutAttribute.NoLimit;

        [Parameter]
        public SwitchParameter Any { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Python's <c>as_completed</c>: writes each thread's output (with -PassThru, the thread) as it ends, in the order they end.</summary>
        [Parameter]
        public SwitchParameter AsCompleted { get; set; }

        protected override void ProcessRecord()
        {
            foreach (WorkerThread thread in Thread)
            {
                if (thread == null)
                {
                    continue;
                }

                if (thread.IsAlive && thread.ManagedThreadId == Environment.CurrentManagedThreadId)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new InvalidOperationException($"Thread '{thread.Name}' is the thread running this command and cannot wait for itself to end. Wait for it from another thread."),
                        ErrorIds.CannotWaitOnCurrentThread,
                        ErrorCategory.InvalidOperation,
                        thread));
                }

                if (thread.Kind == ThreadKind.Main || thread.Kind == ThreadKind.Foreign)
                {
                    // Nothing marks the end of a thread this module did not start: the wait could only hang.
                    ThrowTerminatingError(new ErrorRecord(
                        new InvalidOperationException($"Thread '{thread.Name}' was not started by this module, so it cannot be waited for: " +
                            "nothing would tell when it ends. Wait for threads from Start-WorkerThread; to wait for work on the main thread, " +
                            "hand it a lock or semaphore and take that instead."),
                        ErrorIds.CannotWaitOnThread,
                        ErrorCategory.InvalidOperation,
                        thread));
                }

                if (_seen.Add(thread))
                {
                    _threads.Add(thread);
                }
            }
        }

        protected override void EndProcessing()
        {
            TimeSpan? timeout = ValidateTimeoutAttribute.ToLimit(Timeout);
            try
            {
                if (Any)
                {
                    WorkerThread? first = WaitForAny(timeout);
                    if (first != null)
                    {
                        Write(first);
                    }

                    return;
                }

                if (AsCompleted)
                {
                    WriteAsCompleted(timeout);
                    return;
                }

                var clock = Stopwatch.StartNew();
                foreach (WorkerThread thread in _threads)
                {
                    TimeSpan? left = timeout.HasValue ? Max(TimeSpan.Zero, timeout.Value - clock.Elapsed) : (TimeSpan?)null;
                    if (!Join(thread, left))
                    {
                        WriteVerbose($"Timed out after {timeout?.TotalSeconds} s: '{thread.Name}' is still running.");
                    }
                }
            }
            catch (OperationCanceledException)
            {
                ThrowIfStopping();
                throw;
            }

            foreach (WorkerThread thread in _threads)
            {
                if (!thread.IsAlive)
                {
                    Write(thread);
                }
            }
        }

        /// <summary>One join; when it is the wait given up to break a deadlock, the command ends with that error.</summary>
        private bool Join(WorkerThread thread, TimeSpan? timeout)
        {
            try
            {
                return thread.Join(timeout, CancelToken);
            }
            catch (DeadlockException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.DeadlockDetected, thread));
                throw;
            }
        }

        /// <summary>Writes each thread as it ends, in the order they end, until all ended or the timeout ran out.</summary>
        private void WriteAsCompleted(TimeSpan? timeout)
        {
            var clock = Stopwatch.StartNew();
            var pending = new List<WorkerThread>(_threads);
            while (pending.Count > 0)
            {
                TimeSpan? left = timeout.HasValue ? Max(TimeSpan.Zero, timeout.Value - clock.Elapsed) : (TimeSpan?)null;
                WorkerThread? next = WaitForAny(pending, left, firstEnded: true);
                if (next == null)
                {
                    WriteVerbose($"Timed out after {timeout?.TotalSeconds} s: {pending.Count} thread(s) still running.");
                    return;
                }

                pending.Remove(next);
                Write(next);
            }
        }

        private WorkerThread? WaitForAny(TimeSpan? timeout) => WaitForAny(_threads, timeout, firstEnded: false);

        /// <summary>
        /// An ended thread of <paramref name="threads"/>, waiting for one to end: the first in the list, or with
        /// <paramref name="firstEnded"/> the one that ended first. Null at the timeout.
        /// </summary>
        private WorkerThread? WaitForAny(List<WorkerThread> threads, TimeSpan? timeout, bool firstEnded)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                WorkerThread? ended = null;
                foreach (WorkerThread thread in threads)
                {
                    if (!thread.IsAlive && (ended == null || (firstEnded && thread.EndTime < ended.EndTime)))
                    {
                        ended = thread;
                        if (!firstEnded)
                        {
                            break;
                        }
                    }
                }

                if (ended != null)
                {
                    return ended;
                }

                if (threads.Count == 0 || (timeout.HasValue && clock.Elapsed >= timeout.Value))
                {
                    return null;
                }

                // Wait on a batch of handles; with more threads than one wait can take, poll the batches briefly.
                var handles = new List<WaitHandle> { CancelToken.WaitHandle };
                for (int i = 0; i < threads.Count && handles.Count <= MaxHandlesPerWait; i++)
                {
                    handles.Add(threads[i].EndedHandle);
                }

                int slice = threads.Count > MaxHandlesPerWait ? 50 : System.Threading.Timeout.Infinite;
                if (timeout.HasValue)
                {
                    // Capped: a cast of more than int.MaxValue milliseconds (about 24 days) would go negative.
                    int left = (int)Math.Min(int.MaxValue - 1, Math.Ceiling(Max(TimeSpan.Zero, timeout.Value - clock.Elapsed).TotalMilliseconds));
                    slice = slice == System.Threading.Timeout.Infinite ? left : Math.Min(slice, left);
                }

                if (WaitHandle.WaitAny(handles.ToArray(), slice) == 0)
                {
                    CancelToken.ThrowIfCancellationRequested();
                }
            }
        }

        /// <summary>Writes an ended thread's results (or the thread itself with -PassThru) and its failure.</summary>
        private void Write(WorkerThread thread)
        {
            if (PassThru)
            {
                WriteObject(thread);
                return;
            }

            foreach (object result in thread.TakeResults())
            {
                if (result is ErrorRecord error)
                {
                    WriteError(error);
                }
                else
                {
                    WriteObject(result);
                }
            }

            if (thread.State == WorkerState.Failed && thread.Body is IThreadFailure body && body.TryClaimFailureReport())
            {
                Exception error = thread.Error ?? new InvalidOperationException($"Thread '{thread.Name}' failed.");
                var record = new ErrorRecord(error, ErrorIds.WorkerThreadFailed, body.FailureRecord?.CategoryInfo.Category ?? ErrorCategory.OperationStopped, thread)
                {
                    ErrorDetails = new ErrorDetails($"Thread '{thread.Name}' failed: {error.Message}")
                    {
                        RecommendedAction = "The original exception is in the thread's Error property and in this record's Exception. " +
                            "An object thrown that was not an exception is the Exception's ErrorRecord.TargetObject.",
                    },
                };
                WriteError(record);
            }
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Streams;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>join()</c>: waits for threads to end and writes what they produced (output and the records
    /// of every stream), thread by thread in the order given, each thread's items as they arrive while it
    /// is the one waited on. Ctrl+C ends the wait at once and leaves the threads running.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "WorkerThread", DefaultParameterSetName = ThreadLookup.ThreadSet)]
    [OutputType(typeof(PSObject))]
    [OutputType(typeof(WorkerThread))]
    public sealed partial class WaitWorkerThreadCommand : ThreadTargetCmdlet
    {
        // WaitHandle.WaitAny takes at most 64 handles: the cancellation token's, the arrivals', then threads'.
        private const int MaxHandlesPerWait = 62;

        private readonly List<WorkerThread> _threads = new List<WorkerThread>();
        private readonly HashSet<WorkerThread> _seen = new HashSet<WorkerThread>();
        // Set by each waited thread as it queues an item: wakes the wait to write it. Made by EndProcessing.
        private ResultArrivals _arrivals = null!;
        private OriginalRecordWriter? _records;
        private TimeSpan? _timeout;
        // Threads whose prompt this timed join left, said once each.
        private readonly HashSet<WorkerThread> _promptsLeft = new HashSet<WorkerThread>();
        private bool _timed;
        // The thread whose prompt an -Any join showed: the others' prompts are left for later joins.
        private WorkerThread? _anyPrompted;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ThreadLookup.ThreadSet)]
        [ThreadArgumentTransformation("Wait")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(WorkerThreadCompleter))]
        public WorkerThread[] Thread { get; set; } = null!;

        /// <summary>Seconds to wait at most (-1: no limit); threads still running then go on, with what they wrote so far written.</summary>
        [Parameter]
        [Alias("TimeoutSeconds")]
        public double Timeout { get; set; } = TimeoutParameter.NoLimit;

        [Parameter]
        public SwitchParameter Any { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Python's <c>as_completed</c>: writes each thread's output (with -PassThru, the thread) as it ends, in the order they end.</summary>
        [Parameter]
        public SwitchParameter AsCompleted { get; set; }

        protected override void BeginProcessing() => _timeout = TimeoutParameter.ToLimit(this, nameof(Timeout), Timeout);

        protected override void ProcessRecord()
        {
            foreach (WorkerThread thread in ThreadsGiven(Thread))
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
            _records = new OriginalRecordWriter(this);
            using (_arrivals = new ResultArrivals())
            {
                foreach (WorkerThread thread in _threads)
                {
                    thread.BeginWaitedOn();
                    _arrivals.Watch(thread);
                }

                try
                {
                    WaitAndWrite();
                }
                finally
                {
                    foreach (WorkerThread thread in _threads)
                    {
                        thread.EndWaitedOn();
                    }
                }
            }
        }

        private void WaitAndWrite()
        {
            TimeSpan? timeout = _timeout;
            _timed = timeout.HasValue;
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
                    if (JoinWriting(thread, left, clock))
                    {
                        Write(thread);
                    }
                    else
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

            // What threads still running at the timeout queued so far; the rest is for a later Wait.
            foreach (WorkerThread thread in _threads)
            {
                WriteQueued(thread);
            }
        }

        /// <summary>
        /// Joins one thread, writing what it queues as it arrives; true once it ended. Arrivals from the other
        /// threads wake the wait too, and wait their turn.
        /// </summary>
        private bool JoinWriting(WorkerThread thread, TimeSpan? timeout, Stopwatch clock)
        {
            TimeSpan started = clock.Elapsed;
            while (true)
            {
                WriteQueued(thread);
                TimeSpan? left = timeout.HasValue ? Max(TimeSpan.Zero, timeout.Value - (clock.Elapsed - started)) : (TimeSpan?)null;
                JoinOutcome outcome = Join(thread, left);
                if (outcome != JoinOutcome.Woken)
                {
                    return outcome == JoinOutcome.Ended;
                }
            }
        }

        /// <summary>One join, woken by arrivals; when it is the wait given up to break a deadlock, the command ends with that error.</summary>
        private JoinOutcome Join(WorkerThread thread, TimeSpan? timeout)
        {
            try
            {
                return PassThru
                    ? (thread.Join(timeout, CancelToken) ? JoinOutcome.Ended : JoinOutcome.TimedOut)
                    : thread.JoinOrWake(timeout, CancelToken, _arrivals.Handle);
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

                // The threads still running stream what they queued; an ended one's items wait until it is chosen.
                foreach (WorkerThread thread in threads)
                {
                    if (thread.IsAlive)
                    {
                        WriteQueued(thread);
                    }
                }

                // Wait on a batch of handles; with more threads than one wait can take, poll the batches briefly.
                var handles = new List<WaitHandle> { CancelToken.WaitHandle, _arrivals.Handle };
                for (int i = 0; i < threads.Count && handles.Count <= MaxHandlesPerWait; i++)
                {
                    handles.Add(threads[i].EndedHandle);
                }

                int slice = threads.Count > MaxHandlesPerWait ? 50 : System.Threading.Timeout.Infinite;
                if (timeout.HasValue)
                {
                    int left = WaitTimeout.ToMilliseconds(timeout.Value - clock.Elapsed);
                    slice = slice == System.Threading.Timeout.Infinite ? left : Math.Min(slice, left);
                }

                if (WaitHandle.WaitAny(handles.ToArray(), slice) == 0)
                {
                    CancelToken.ThrowIfCancellationRequested();
                }
            }
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }
}

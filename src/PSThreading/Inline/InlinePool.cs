using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Inline
{
    /// <summary>
    /// Invoke-ThreadPool with <c>$PSThreadingMode = 'Inline'</c>: every item runs at once, as it arrives, on the
    /// caller's thread, one at a time (so in input order, -Ordered or not). Each ends as a pool item does,
    /// and the cmdlet writes it the way it writes a worker's. The timeouts are honoured by stopping the running
    /// item from a timer: an item past -ItemTimeout ends TimedOut; once -Timeout has passed, the running item
    /// is stopped and no later item runs.
    /// </summary>
    internal sealed partial class InlinePool
    {
        private readonly InlineScript _script;
        private readonly object[] _arguments;
        private readonly TimeSpan? _timeout;
        private readonly TimeSpan? _itemTimeout;
        private readonly Stopwatch _watch;
        private readonly CancellationToken _cancel;
        private readonly InlinePoolOutput _output;
        private long _added;

        public InlinePool(InlineScript script, object[]? arguments, TimeSpan? timeout, TimeSpan? itemTimeout, Stopwatch watch, CancellationToken cancel, InlinePoolOutput output)
        {
            _script = script;
            _arguments = arguments == null ? Array.Empty<object>() : WorkerValues.InWorker(arguments, Runspace.DefaultRunspace);
            _timeout = timeout;
            _itemTimeout = itemTimeout;
            _watch = watch;
            _cancel = cancel;
            _output = output;
        }

        /// <summary>True once the call's timeout has ended it: later input is not run.</summary>
        public bool IsEnded { get; private set; }

        /// <summary>Items that ran to an end (completed, failed or timed out), as Threads mode counts them.</summary>
        public int FinishedCount { get; private set; }

        /// <summary>Runs one item and writes its outcome. <paramref name="total"/> is the input's size when known.</summary>
        public void Run(object? input, long? total)
        {
            if (IsEnded)
            {
                return;
            }

            var item = new PoolWorkItem(_added++, input);
            if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value)
            {
                EndByTimeout(total);
                return;
            }

            if (_itemTimeout == TimeSpan.Zero)
            {
                item.TimeOutUnstarted();
                Write(item);
                return;
            }

            item.MarkRunning();
            object? current;
            try
            {
                current = WorkerValues.ItemInWorker(input, Runspace.DefaultRunspace);
            }
            catch (RunspaceBoundValueException ex)
            {
                item.TryEnd(PoolItemState.Failed, null, ex.ToErrorRecord());
                Write(item);
                return;
            }

            InlineInvocation invocation;
            var output = new List<object>();
            InlineOutcome outcome;
            bool callDeadline;
            while (true)
            {
                // The call's rate, retries and attempt count, as a pool honours them (see InlinePool.Limits.cs).
                WaitForRate();
                invocation = new InlineInvocation();
                output.Clear();
                var records = new List<object>();
                using (_cancel.Register(invocation.Stop))
                using (StopTimer(invocation, out callDeadline))
                {
                    outcome = invocation.Run(_script, current, _arguments, output.Add, records.Add, attempt: ++item.Attempt);
                }

                foreach (object record in records)
                {
                    _output.WriteRecord(record);
                }

                if (_cancel.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                if (outcome != InlineOutcome.Failed || !WaitToRetry(item, invocation.Error))
                {
                    break;
                }
            }

            switch (outcome)
            {
                case InlineOutcome.Completed:
                    item.TryEnd(PoolItemState.Completed, output.ToArray(), null);
                    break;
                case InlineOutcome.Failed:
                    item.TryEnd(PoolItemState.Failed, null, invocation.Error);
                    break;
                default:
                    // The timer may fire a moment before the stopwatch reads the deadline: what it was set for decides.
                    if (callDeadline || (_timeout.HasValue && _watch.Elapsed >= _timeout.Value))
                    {
                        // Stopped by the call's timeout: like a worker's item stopped then, it is not written.
                        EndByTimeout(total);
                        return;
                    }

                    item.TryEnd(PoolItemState.TimedOut, null, null);
                    break;
            }

            Write(item);
        }

        /// <summary>
        /// A timer that stops the item at the first deadline that applies to it; null when none does.
        /// <paramref name="callDeadline"/>: that deadline is the call's -Timeout, not the item's.
        /// </summary>
        private Timer? StopTimer(InlineInvocation invocation, out bool callDeadline)
        {
            TimeSpan? due = _itemTimeout;
            callDeadline = false;
            if (_timeout.HasValue)
            {
                TimeSpan left = _timeout.Value - _watch.Elapsed;
                callDeadline = !due.HasValue || left <= due.Value;
                due = callDeadline ? left : due;
            }

            if (!due.HasValue)
            {
                return null;
            }

            return new Timer(_ => invocation.Stop(), null, WaitTimeout.ToMilliseconds(due.Value), Timeout.Infinite);
        }

        private void Write(PoolWorkItem item)
        {
            FinishedCount++;
            _output.WriteResult(item);
        }

        /// <summary>-End was stopped when the call's time was up: the call's timeout error, unless an item's gave it already.</summary>
        public void EndTimedOut()
        {
            if (!IsEnded)
            {
                EndByTimeout(_added);
            }
        }

        private void EndByTimeout(long? total)
        {
            IsEnded = true;
            _output.WriteCallTimeout(FinishedCount, total, _added);
        }
    }

    /// <summary>How Invoke-ThreadPool writes what the inline pool hands it, on the pipeline thread.</summary>
    internal sealed class InlinePoolOutput
    {
        public InlinePoolOutput(Action<PoolWorkItem> writeResult, Action<object> writeRecord, Action<int, long?, long> writeCallTimeout)
        {
            WriteResult = writeResult;
            WriteRecord = writeRecord;
            WriteCallTimeout = writeCallTimeout;
        }

        public Action<PoolWorkItem> WriteResult { get; }

        public Action<object> WriteRecord { get; }

        /// <summary>The call's timeout error: items finished, the input's size when known, items taken so far.</summary>
        public Action<int, long?, long> WriteCallTimeout { get; }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Errors;
using PSThreading.Inline;
using PSThreading.Jobs;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// <c>$PSThreadingMode = 'Inline'</c>: no workers, the items run on this thread (see <see cref="InlinePool"/>),
    /// and are written as the workers' items are. -Begin runs once before the first item and the variables it
    /// sets are given to the items and to -End; -Function and -Module need nothing (the caller's commands
    /// resolve); -AsJob runs the call at once and returns its ended job, holding what it wrote.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        private InlinePool? _inline;
        private InlineScript? _inlineEnd;
        private object[] _inlineArguments = Array.Empty<object>();
        private Action<object>? _inlineEmitOutput;
        private Action<ErrorRecord>? _inlineEmitError;

        private InlinePool StartInline(WorkerScript script, PoolSetup setup, object[]? arguments) =>
            StartInline(script, setup, arguments, WriteObject, WriteError, new InlinePoolOutput(item => WriteResult(item), WriteRecord, WriteCallTimeout));

        private InlinePool StartInline(
            WorkerScript script, PoolSetup setup, object[]? arguments, Action<object> emitOutput, Action<ErrorRecord> emitError, InlinePoolOutput output)
        {
            _inlineEmitOutput = emitOutput;
            _inlineEmitError = emitError;
            _inlineArguments = arguments == null ? Array.Empty<object>() : WorkerValues.InWorker(arguments, System.Management.Automation.Runspaces.Runspace.DefaultRunspace);
            var shared = new List<KeyValuePair<string, object?>>(PreferenceOverrides());
            if (Begin != null && setup.Begin != null)
            {
                var captured = new Hashtable(StringComparer.OrdinalIgnoreCase);
                RunInlineSetup(InlineScript.Create(Begin, setup.Begin, shared, captured), isBegin: true);
                foreach (DictionaryEntry variable in captured)
                {
                    shared.Add(new KeyValuePair<string, object?>((string)variable.Key, variable.Value));
                }
            }

            if (End != null && setup.End != null)
            {
                _inlineEnd = InlineScript.Create(End, setup.End, shared);
            }

            var pool = new InlinePool(InlineScript.Create(ScriptBlock, script, shared, pipesItem: setup.TakesPipelineInput, isItem: true), arguments, _timeout, _itemTimeout, _watch, CancelToken, output);
            ApplyLimits(pool, output.WriteRecord);
            return pool;
        }

        /// <summary>
        /// -End, once, after the last item or after an item's error ended the call (not after Ctrl+C: the pipeline
        /// is gone). -Timeout bounds it as it bounds the items, giving it at least the grace a stopped call gives.
        /// </summary>
        private void RunInlineEnd(InlinePool? pool)
        {
            InlineScript? end = _inlineEnd;
            _inlineEnd = null;
            if (end != null)
            {
                RunInlineSetup(end, isBegin: false, pool);
            }
        }

        private void RunInlineSetup(InlineScript script, bool isBegin, InlinePool? pool = null)
        {
            var invocation = new InlineInvocation();
            var records = new List<object>();
            InlineOutcome outcome;
            using (EndStopTimer(invocation, isBegin))
            {
                outcome = invocation.Run(script, null, _inlineArguments, value => _inlineEmitOutput!(value), records.Add);
            }

            foreach (object record in records)
            {
                if (record is ErrorRecord error)
                {
                    _inlineEmitError!(error);
                }
                else
                {
                    WriteRecord(record);
                }
            }

            if (outcome == InlineOutcome.Stopped)
            {
                // Only the timer stops it (Ctrl+C is thrown on): the call's time was up.
                pool?.EndTimedOut();
                return;
            }

            if (outcome == InlineOutcome.Failed && invocation.Error != null)
            {
                if (!isBegin)
                {
                    _inlineEmitError!(invocation.Error);
                    return;
                }

                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException($"The -Begin block failed (inline, on the caller's thread), so no item ran: {invocation.Error.Exception.Message}", invocation.Error.Exception),
                    ErrorIds.PoolBeginFailed,
                    ErrorCategory.InvalidOperation,
                    null));
            }
        }

        /// <summary>Under -Timeout, a timer that stops -End when the call's time is up, or after the grace if it was up already.</summary>
        private Timer? EndStopTimer(InlineInvocation invocation, bool isBegin)
        {
            if (isBegin || !_timeout.HasValue)
            {
                return null;
            }

            TimeSpan left = _timeout.Value - _watch.Elapsed;
            TimeSpan due = left > s_endGrace ? left : s_endGrace;
            return new Timer(_ => invocation.Stop(), null, WaitTimeout.ToMilliseconds(due), System.Threading.Timeout.Infinite);
        }

        /// <summary>-AsJob inline: the call runs now, into a job that Receive-Job reads and Wait-WorkerThread joins as any other.</summary>
        private void RunJobInline()
        {
            var body = new InlineJobBody();
            WorkerThread thread = ThreadRegistry.BeginInlineWorker(ThreadRegistry.NextPoolJobName(), isDaemon: false, body);
            WorkerState outcome = WorkerState.Stopped;
            try
            {
                object[]? arguments = WorkerValues.ForWorker(ArgumentList, this);
                Action<ErrorRecord> addError = error => thread.AddResult(error);
                InlinePool pool = StartInline(
                    _job!.Script,
                    _job.Setup,
                    arguments,
                    thread.AddResult,
                    addError,
                    new InlinePoolOutput(item => EmitResult(item, thread.AddResult, addError), thread.AddResult, (finished, total, added) => thread.AddResult(CallTimeoutError(finished, total, added))));
                foreach (object? item in _job.Items)
                {
                    pool.Run(item, _job.Items.Count);
                    if (pool.IsEnded)
                    {
                        break;
                    }
                }

                RunInlineEnd(pool);
                outcome = WorkerState.Completed;
            }
            finally
            {
                thread.Finish(outcome);
            }

            WriteObject(ThreadPoolJob.Register(this, thread, body, _job.Script.Text));
        }

        /// <summary>The body of an inline job's thread: it never runs on a thread of its own; the job holds its results.</summary>
        private sealed class InlineJobBody : JobResults, IThreadBody
        {
            public void Run(WorkerThread thread)
            {
            }

            public void RequestStop()
            {
            }

            public void AfterEnd()
            {
            }
        }
    }
}

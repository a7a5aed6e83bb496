using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using PSThreading.Core.Deadlocks;
using PSThreading.Core.Pool;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// The pipeline thread's turns while items run: feeding the scheduler, waiting for a change, enforcing the
    /// timeouts and stopping the call.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        private void Add(object? input)
        {
            ThreadPoolScheduler scheduler = _call!.Scheduler;
            while (!scheduler.HasRoom && !_ended)
            {
                Pump(block: true);
            }

            if (_ended)
            {
                return;
            }

            if (_itemTimeout == TimeSpan.Zero)
            {
                // No time at all: the item is reported timed out without running, every time.
                scheduler.AddTimedOut(input);
            }
            else
            {
                AddToScheduler(scheduler, input);
            }

            if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value)
            {
                // Checked before a worker starts: under -Timeout 0 no item runs.
                TimeOutCall(scheduler);
                return;
            }

            _call.EnsureWorkers();
            // The cheap part of a pump, for every item: results that are ready go out at once.
            if (CancelToken.IsCancellationRequested || _itemTimeout.HasValue || _timeout.HasValue || _call.WorkerFailure != null || _call.BeginFailure != null
                || (!NoProgress && _watch.Elapsed >= _nextProgress))
            {
                Pump(block: false);
            }
            else
            {
                WriteResults(scheduler);
            }
        }

        /// <summary>
        /// One turn of the pipeline thread: waits (when <paramref name="block"/>) for a change, then writes the
        /// queued records and results, enforces the timeouts and shows progress.
        /// </summary>
        private void Pump(bool block)
        {
            PoolCall call = _call!;
            ThreadPoolScheduler scheduler = call.Scheduler;
            if (block)
            {
                // Many results last time: tiny items stream in, so sleep a moment and write them in a batch.
                bool poll = _lastBatch >= PollBatchSize;
                // While it blocks, the caller waits for its items: a lock it holds that an item waits for is a deadlock.
                // Not under a timeout: the call or item timeout ends such an item, which must not fail as a deadlock first.
                if (!_timeout.HasValue && !_itemTimeout.HasValue)
                {
                    _callerWait ??= new PoolCallerWait(scheduler);
                    _callerWait.Begin();
                }

                try
                {
                    scheduler.WaitForChange(poll ? Min(s_pollInterval, NextWait(scheduler)) : NextWait(scheduler), CancelToken, poll);
                }
                finally
                {
                    _callerWait?.End();
                }

                LookForDeadlock();
            }

            if (CancelToken.IsCancellationRequested)
            {
                EndCall();
                throw new PipelineStoppedException();
            }

            WriteResults(scheduler);
            if (_itemTimeout.HasValue)
            {
                IReadOnlyList<PoolWorkItem> overdue = scheduler.TimeOutOverdue(_itemTimeout.Value);
                if (overdue.Count > 0)
                {
                    // Written before the stop: the item writes nothing more once timed out, and the next item on its
                    // worker, which starts only after the stop, cannot write ahead of this error.
                    WriteResults(scheduler);
                    call.StopItems(overdue);
                }
            }

            call.EnsureWorkers();
            ThrowIfBeginFailed();
            if (call.WorkerFailure != null)
            {
                EndCall();
                ThrowTerminatingError(new ErrorRecord(call.WorkerFailure, ErrorIds.PoolWorkerFailed, ErrorCategory.ResourceUnavailable, null));
            }

            if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value && !scheduler.IsDone)
            {
                TimeOutCall(scheduler);
                return;
            }

            WriteProgressIfDue(scheduler);
        }

        /// <summary>
        /// The caller holds what an item waits for, untimed: the call fails with Deadlock, as Wait-WorkerThread does
        /// for a join, after stopping its items (the one waiting for the caller's lock among them).
        /// </summary>
        private void LookForDeadlock()
        {
            try
            {
                _callerWait?.Look();
            }
            catch (DeadlockException ex)
            {
                EndCall();
                WriteRecords();
                ThrowTerminatingError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.DeadlockDetected, ex.Cycle[0].HeldBy));
            }
        }

        /// <summary>A worker's -Begin threw: the call fails with PoolBeginFailed, naming the worker and the error.</summary>
        private void ThrowIfBeginFailed()
        {
            PoolBeginException? failure = _call!.BeginFailure;
            if (failure != null)
            {
                EndCall();
                WriteRecords();
                WriteEndOutput();
                ThrowTerminatingError(new ErrorRecord(failure, ErrorIds.PoolBeginFailed, failure.Error.CategoryInfo.Category, failure.WorkerName));
            }
        }

        /// <summary>
        /// After the last item: the workers give their runspaces back at once, or run -End first, whose output is
        /// written as it comes. -Timeout bounds -End too (it is stopped when the call's time is up, and the call
        /// fails with PoolTimeout); Ctrl+C stops it at once.
        /// </summary>
        private void WaitForWorkersToEnd()
        {
            PoolCall call = _call!;
            if (call.Setup.End == null)
            {
                call.WaitForWorkers(TimeSpan.FromSeconds(2));
                return;
            }

            ThreadPoolScheduler scheduler = call.Scheduler;
            while (!call.WaitForWorkers(TimeSpan.Zero))
            {
                TimeSpan wait = _timeout.HasValue ? Min(s_longestWait, _timeout.Value - _watch.Elapsed) : s_longestWait;
                if (wait > TimeSpan.Zero)
                {
                    // Woken by a worker's end or by what -End writes, and by Ctrl+C.
                    scheduler.WaitForChange(wait, CancelToken);
                }

                if (CancelToken.IsCancellationRequested)
                {
                    EndCall(stopEndNow: true);
                    throw new PipelineStoppedException();
                }

                scheduler.TakeStreamPending();
                WriteRecords();
                if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value && !call.WaitForWorkers(TimeSpan.Zero))
                {
                    TimeOutCall(scheduler, stopEndNow: true);
                    return;
                }
            }
        }

        private void TimeOutCall(ThreadPoolScheduler scheduler, bool stopEndNow = false)
        {
            // Cancelled first, so that an item ending meanwhile is not published behind results already taken,
            // and the workers stream nothing more. Then what the items wrote before is written: the records and
            // streamed output, the results, what ordered items still running had streamed; then the error.
            scheduler.Cancel();
            IReadOnlyList<PoolWorkItem> finished = scheduler.TakeFinishedResults(out IReadOnlyList<PoolWorkItem> running);
            EndCall(stopEndNow);
            WriteRecords();
            int next = 0;
            foreach (PoolWorkItem item in finished)
            {
                for (; next < running.Count && running[next].Index < item.Index; next++)
                {
                    WriteStreamed(running[next]);
                }

                WriteResult(item);
            }

            for (; next < running.Count; next++)
            {
                WriteStreamed(running[next]);
            }

            WriteEndOutput();
            WriteCallTimeout(scheduler.FinishedCount, scheduler.TotalCount, scheduler.AddedCount);
        }

        /// <summary>The call's timeout error: items finished, the input's size when known, items taken so far.</summary>
        private void WriteCallTimeout(int finished, long? total, long added) => WriteError(CallTimeoutError(finished, total, added));

        private ErrorRecord CallTimeoutError(int finished, long? total, long added)
        {
            // Piped input stops being read at the timeout: the count read so far is no total, and -Timeout 0 read one.
            string message = _timeout!.Value == TimeSpan.Zero
                ? "Invoke-ThreadPool was given no time at all (-Timeout 0), so it stopped at once: " +
                    $"{finished} items had finished. Give the seconds the call may take, or -1 for no limit."
                : string.Format(
                    CultureInfo.InvariantCulture,
                    total.HasValue
                        ? "Invoke-ThreadPool stopped after its timeout of {0} seconds: {1} of {2} items had finished."
                        : "Invoke-ThreadPool stopped after its timeout of {0} seconds: {1} of the {2} items read so far had finished; the rest of the input was not read.",
                    _timeout.Value.TotalSeconds,
                    finished,
                    total.HasValue ? total.Value : added);
            return new ErrorRecord(new TimeoutException(message), ErrorIds.PoolTimeout, ErrorCategory.OperationTimeout, null);
        }

        /// <summary>Stops the workers (see <see cref="PoolCall.Stop"/>); <paramref name="stopEndNow"/> when the call was already waiting for -End.</summary>
        private void EndCall(bool stopEndNow = false)
        {
            _ended = true;
            _call?.Stop(s_stopWait, stopEndNow ? TimeSpan.Zero : s_endGrace);
            WarnStillRunning();
        }

        /// <summary>Once per call: the workers a stop left inside a call that cannot be interrupted.</summary>
        private void WarnStillRunning()
        {
            IReadOnlyList<WorkerThread> running = _call?.StillRunning() ?? Array.Empty<WorkerThread>();
            if (running.Count > 0 && !_warnedStillRunning)
            {
                _warnedStillRunning = true;
                StillRunningWarning.Write(this, running);
            }
        }

        private TimeSpan NextWait(ThreadPoolScheduler scheduler)
        {
            TimeSpan wait = s_longestWait;
            if (_timeout.HasValue)
            {
                wait = Min(wait, _timeout.Value - _watch.Elapsed);
            }

            if (_itemTimeout.HasValue)
            {
                TimeSpan? next = scheduler.TimeUntilNextItemTimeout(_itemTimeout.Value);
                if (next.HasValue)
                {
                    wait = Min(wait, next.Value);
                }
            }

            if (!NoProgress)
            {
                wait = Min(wait, _nextProgress - _watch.Elapsed);
            }

            // A remote call (-Session) has a worker per session from the start.
            TimeSpan? moreWorkers = _call?.TimeUntilMoreWorkers();
            if (moreWorkers.HasValue)
            {
                // Items wait for a worker that only this thread can start: look again when one may start.
                wait = Min(wait, moreWorkers.Value);
            }

            return wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core;
using PSThreading.Pool;
using PSThreading.Runtime;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>ThreadPoolExecutor.map</c>: runs a block for every input item on a pool of worker threads,
    /// at most <see cref="ThrottleLimit"/> at once, writing results as items finish (in input order with
    /// <see cref="Ordered"/>).
    /// </summary>
    /// <remarks>
    /// Workers never write: they queue results and stream records, and this cmdlet's pipeline thread writes
    /// them between items (<see cref="Pump"/>), so output streams while input is still arriving.
    /// </remarks>
    [Cmdlet(VerbsLifecycle.Invoke, "ThreadPool")]
    [OutputType(typeof(object))]
    public sealed class InvokeThreadPoolCommand : CancellablePSCmdlet
    {
        private static readonly TimeSpan s_progressDelay = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan s_progressInterval = TimeSpan.FromMilliseconds(250);
        // The longest the pipeline thread sleeps without looking at timeouts, progress and Ctrl+C.
        private static readonly TimeSpan s_longestWait = TimeSpan.FromMilliseconds(200);
        // How long a stopped call waits for its workers to unwind: Ctrl+C must return within 1 s.
        private static readonly TimeSpan s_stopWait = TimeSpan.FromMilliseconds(600);
        private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(1);
        private static int s_progressActivityId = 0x5054;

        // Results written by one drain at or above which the next wait polls instead of asking for a signal.
        private const int PollBatchSize = 8;

        private readonly Stopwatch _watch = new Stopwatch();
        private PoolCall? _call;
        private TimeSpan? _timeout;
        private TimeSpan? _itemTimeout;
        private int _activityId;
        private bool _progressShown;
        private TimeSpan _nextProgress;
        private bool _ended;
        private bool _warnedStillRunning;
        private int _lastBatch;

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public ScriptBlock ScriptBlock { get; set; } = null!;

        /// <summary>Items to run; from the pipeline each object is one item, given directly each element is one.</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        [AllowEmptyCollection]
        public object[]? InputObject { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        [Parameter]
        [Alias("Args")]
        public object[]? ArgumentList { get; set; }

        [Parameter]
        public SwitchParameter Ordered { get; set; }

        /// <summary>Seconds the whole call may take; fractions allowed.</summary>
        [Parameter]
        [ValidateTimeout]
        public double Timeout { get; set; }

        /// <summary>Seconds one item may run before it is stopped; fractions allowed.</summary>
        [Parameter]
        [ValidateTimeout]
        public double ItemTimeout { get; set; }

        [Parameter]
        public SwitchParameter NoProgress { get; set; }

        /// <summary>Each item in a runspace as clean as a new one (ForEach-Object -Parallel's name): slower, for items that set globals.</summary>
        [Parameter]
        public SwitchParameter UseNewRunspace { get; set; }

        protected override void BeginProcessing()
        {
            _watch.Start();
            WorkerScript script = WorkerScript.Create(ScriptBlock, this);

            _timeout = BoundSeconds(nameof(Timeout), Timeout);
            _itemTimeout = BoundSeconds(nameof(ItemTimeout), ItemTimeout);

            _activityId = Interlocked.Increment(ref s_progressActivityId);
            _nextProgress = s_progressDelay;
            object[]? arguments = WorkerValues.ForWorker(ArgumentList, this);
            _call = new PoolCall(script, PoolLoopScript.For(ScriptBlock), arguments, CallerContext.Capture(this), PreferenceOverrides(), ThrottleLimit, Ordered, UseNewRunspace);
        }

        protected override void ProcessRecord()
        {
            if (_ended || _call == null)
            {
                return;
            }

            try
            {
                if (MyInvocation.ExpectingInput)
                {
                    // From the pipeline each object is one item; the binder wraps a single object in an array.
                    Add(InputObject == null ? null : InputObject.Length == 1 ? InputObject[0] : InputObject);
                }
                else if (InputObject != null)
                {
                    foreach (object element in InputObject)
                    {
                        Add(element);
                        if (_ended)
                        {
                            break;
                        }
                    }
                }
            }
            catch
            {
                // Ctrl+C, -ErrorAction Stop, a downstream Select-Object -First: the workers stop first.
                EndCall();
                throw;
            }
        }

        protected override void EndProcessing()
        {
            if (_call == null)
            {
                return;
            }

            GuardStop(() =>
            {
                if (!_ended)
                {
                    _call.Scheduler.CompleteAdding();
                    while (!_ended && !_call.Scheduler.IsDone)
                    {
                        Pump(block: true);
                    }

                    // The workers are only giving their runspaces back: waiting keeps them warm for the next call.
                    _call.WaitForWorkers(TimeSpan.FromSeconds(2));
                    WriteRecords();
                }

                if (_progressShown)
                {
                    WriteProgress(new ProgressRecord(_activityId, "Invoke-ThreadPool", "Done") { RecordType = ProgressRecordType.Completed });
                }
            });
        }

        /// <summary>
        /// The pipeline may end without EndProcessing (an upstream command failed): the workers still wait for
        /// input then, so they are stopped here.
        /// </summary>
        protected override void Dispose(bool disposing)
        {
            try
            {
                if (disposing && _call != null && !_call.Scheduler.IsDone)
                {
                    EndCall();
                }
            }
            finally
            {
                base.Dispose(disposing);
            }
        }

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
                scheduler.Add(input);
            }

            if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value)
            {
                // Checked before a worker starts: under -Timeout 0 no item runs.
                TimeOutCall(scheduler);
                return;
            }

            _call.EnsureWorkers();
            // The cheap part of a pump, for every item: results that are ready go out at once.
            if (CancelToken.IsCancellationRequested || _itemTimeout.HasValue || _timeout.HasValue || _call.WorkerFailure != null
                || (!NoProgress && _watch.Elapsed >= _nextProgress))
            {
                Pump(block: false);
            }
            else
            {
                WriteRecords();
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
                scheduler.WaitForChange(poll ? Min(s_pollInterval, NextWait(scheduler)) : NextWait(scheduler), CancelToken, poll);
            }

            if (CancelToken.IsCancellationRequested)
            {
                EndCall();
                throw new PipelineStoppedException();
            }

            WriteRecords();
            WriteResults(scheduler);
            if (_itemTimeout.HasValue)
            {
                IReadOnlyList<PoolWorkItem> overdue = scheduler.TimeOutOverdue(_itemTimeout.Value);
                if (overdue.Count > 0)
                {
                    call.StopItems(overdue);
                    WriteResults(scheduler);
                }
            }

            call.EnsureWorkers();
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

        private void TimeOutCall(ThreadPoolScheduler scheduler)
        {
            // What finished is written first, then the call stops and says so. Cancelled first, so that an item
            // ending meanwhile is not published behind results already taken.
            scheduler.Cancel();
            foreach (PoolWorkItem item in scheduler.TakeFinishedResults())
            {
                WriteResult(item);
            }

            EndCall();
            WriteRecords();
            string message = string.Format(
                CultureInfo.InvariantCulture,
                "Invoke-ThreadPool stopped after its timeout of {0} seconds: {1} of {2} items had finished.",
                _timeout!.Value.TotalSeconds,
                scheduler.FinishedCount,
                scheduler.TotalCount.HasValue ? scheduler.TotalCount.Value.ToString(CultureInfo.InvariantCulture) : "at least " + scheduler.AddedCount);
            WriteError(new ErrorRecord(new TimeoutException(message), ErrorIds.PoolTimeout, ErrorCategory.OperationTimeout, null));
        }

        private void EndCall()
        {
            _ended = true;
            _call?.Stop(s_stopWait);
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

            TimeSpan? moreWorkers = _call!.TimeUntilMoreWorkers();
            if (moreWorkers.HasValue)
            {
                // Items wait for a worker that only this thread can start: look again when one may start.
                wait = Min(wait, moreWorkers.Value);
            }

            return wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;
        }

        private void WriteResults(ThreadPoolScheduler scheduler)
        {
            int written = 0;
            while (scheduler.TryTakeResult(out PoolWorkItem? item))
            {
                WriteResult(item!);
                written++;
            }

            _lastBatch = written;
        }

        private void WriteResult(PoolWorkItem item)
        {
            switch (item.State)
            {
                case PoolItemState.Completed:
                    if (item.Output is object[] output)
                    {
                        foreach (object value in output)
                        {
                            WriteObject(value);
                        }
                    }

                    break;
                case PoolItemState.Failed:
                    WriteError(ItemError(item));
                    break;
                case PoolItemState.TimedOut:
                    string message = string.Format(
                        CultureInfo.InvariantCulture,
                        _itemTimeout == TimeSpan.Zero
                            ? "Item '{0}' (#{1}) was not run: -ItemTimeout 0 gives an item no time at all. Give the seconds an item may take, or -1 for no limit."
                            : "Item '{0}' (#{1}) ran longer than its timeout of {2} seconds and was stopped.",
                        DescribeItem(item.Input),
                        item.Index,
                        _itemTimeout?.TotalSeconds);
                    WriteError(new ErrorRecord(new TimeoutException(message), ErrorIds.ItemTimeout, ErrorCategory.OperationTimeout, item.Input));
                    break;
            }
        }

        /// <summary>An item that threw: the item's own error, with the item as its target.</summary>
        private static ErrorRecord ItemError(PoolWorkItem item)
        {
            if (item.Error is ErrorRecord original)
            {
                return new ErrorRecord(ThrownObject.ExceptionOf(original), original.FullyQualifiedErrorId, original.CategoryInfo.Category, item.Input)
                {
                    ErrorDetails = original.ErrorDetails,
                };
            }

            var exception = item.Error as Exception ?? new InvalidOperationException($"Item #{item.Index} failed.");
            return new ErrorRecord(exception, "PoolItemFailed", ErrorCategory.NotSpecified, item.Input);
        }

        private void WriteRecords()
        {
            var records = _call!.Records;
            while (records.TryDequeue(out object? record))
            {
                switch (record)
                {
                    case ErrorRecord error:
                        WriteError(error);
                        break;
                    case WarningRecord warning:
                        WriteWarning(warning.Message);
                        break;
                    case VerboseRecord verbose:
                        WriteVerbose(verbose.Message);
                        break;
                    case DebugRecord debug:
                        WriteDebug(debug.Message);
                        break;
                    case InformationRecord information:
                        WriteInformation(information);
                        break;
                    case ProgressRecord progress:
                        WriteProgress(progress);
                        break;
                }
            }
        }

        private void WriteProgressIfDue(ThreadPoolScheduler scheduler)
        {
            if (NoProgress || _watch.Elapsed < _nextProgress)
            {
                return;
            }

            _nextProgress = _watch.Elapsed + s_progressInterval;
            int done = scheduler.FinishedCount;
            long? total = scheduler.TotalCount;
            var record = new ProgressRecord(
                _activityId,
                "Invoke-ThreadPool",
                total.HasValue
                    ? string.Format(CultureInfo.InvariantCulture, "{0} of {1} items done", done, total.Value)
                    : string.Format(CultureInfo.InvariantCulture, "{0} items done, more arriving", done));
            if (total.HasValue && total.Value > 0)
            {
                record.PercentComplete = (int)Math.Min(100, done * 100 / total.Value);
            }

            _progressShown = true;
            WriteProgress(record);
        }

        /// <summary>Runs a step; if anything (Ctrl+C, -ErrorAction Stop, a downstream Select-Object -First) ends it, stops the workers first.</summary>
        private void GuardStop(Action step)
        {
            try
            {
                step();
            }
            catch
            {
                EndCall();
                throw;
            }
        }

        /// <summary>Common parameters given to this cmdlet that the items should honour as preference variables.</summary>
        private List<KeyValuePair<string, object?>> PreferenceOverrides()
        {
            var overrides = new List<KeyValuePair<string, object?>>();
            var bound = MyInvocation.BoundParameters;
            if (bound.TryGetValue("Verbose", out object? verbose))
            {
                overrides.Add(Preference("VerbosePreference", IsOn(verbose) ? ActionPreference.Continue : ActionPreference.SilentlyContinue));
            }

            if (bound.TryGetValue("Debug", out object? debug))
            {
                overrides.Add(Preference("DebugPreference", IsOn(debug) ? ActionPreference.Continue : ActionPreference.SilentlyContinue));
            }

            if (bound.TryGetValue("WarningAction", out object? warning))
            {
                overrides.Add(new KeyValuePair<string, object?>("WarningPreference", warning));
            }

            if (bound.TryGetValue("InformationAction", out object? information))
            {
                overrides.Add(new KeyValuePair<string, object?>("InformationPreference", information));
            }

            return overrides;
        }

        /// <summary>A timeout given in seconds, or null when not given or no limit (-1, too large to ever pass).</summary>
        private TimeSpan? BoundSeconds(string parameter, double seconds) =>
            MyInvocation.BoundParameters.ContainsKey(parameter) ? ValidateTimeoutAttribute.ToLimit(seconds) : null;

        private static KeyValuePair<string, object?> Preference(string name, ActionPreference value) => new KeyValuePair<string, object?>(name, value);

        private static bool IsOn(object? value) => value is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(value);

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

        private static string DescribeItem(object? input)
        {
            string text = input == null ? "null" : LanguagePrimitives.ConvertTo<string>(input) ?? string.Empty;
            return text.Length > 80 ? text.Substring(0, 77) + "..." : text;
        }
    }
}

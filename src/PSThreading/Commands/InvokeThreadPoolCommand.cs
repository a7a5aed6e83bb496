using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Inline;
using PSThreading.Jobs;
using PSThreading.Pool;
using PSThreading.Runspaces;
using PSThreading.Streams;
using PSThreading.Values;

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
    [OutputType(typeof(PSThreading.Jobs.ThreadPoolJob))]
    public sealed partial class InvokeThreadPoolCommand : WorkerStartingCmdlet
    {
        private static readonly TimeSpan s_progressDelay = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan s_progressInterval = TimeSpan.FromMilliseconds(250);
        // The longest the pipeline thread sleeps without looking at timeouts, progress and Ctrl+C.
        private static readonly TimeSpan s_longestWait = TimeSpan.FromMilliseconds(200);
        // How long a stopped call waits for its workers to unwind: Ctrl+C must return within 1 s.
        private static readonly TimeSpan s_stopWait = TimeSpan.FromMilliseconds(600);
        // Of that wait, how long -End may still run after a stop (Ctrl+C, -Timeout during the items, an error).
        private static readonly TimeSpan s_endGrace = TimeSpan.FromMilliseconds(400);
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
        private PoolCallerWait? _callerWait;
        private int _lastBatch;
        private OriginalRecordWriter? _records;
        private WorkerScript? _script;
        // The results one drain takes, reused: taken before the records, written after them.
        private readonly List<PoolWorkItem> _readyResults = new List<PoolWorkItem>();

        /// <summary>The block run for each item; -Parallel is ForEach-Object's name for it.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("Parallel")]
        [ValidateNotNull]
        public ScriptBlock ScriptBlock { get; set; } = null!;

        /// <summary>Items to run; from the pipeline each object is one item, given directly each element is one.</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        [AllowEmptyCollection]
        public object[]? InputObject { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

        [Parameter]
        [Alias("Args")]
        public object[]? ArgumentList { get; set; }

        [Parameter]
        public SwitchParameter Ordered { get; set; }

        /// <summary>Seconds the whole call may take; fractions allowed. -TimeoutSeconds is ForEach-Object's name.</summary>
        [Parameter]
        [Alias("TimeoutSeconds")]
        public double Timeout { get; set; }

        /// <summary>Seconds one item may run before it is stopped; fractions allowed.</summary>
        [Parameter]
        public double ItemTimeout { get; set; }

        [Parameter]
        public SwitchParameter NoProgress { get; set; }

        /// <summary>Each item in a runspace as clean as a new one (ForEach-Object -Parallel's name): slower, for items that set globals.</summary>
        [Parameter]
        public SwitchParameter UseNewRunspace { get; set; }

        /// <summary>Runs once in each worker before its first item, in the scope the items see.</summary>
        [Parameter]
        public ScriptBlock? Begin { get; set; }

        /// <summary>Runs once in each worker after its last item, also when the call is stopped, timed out or failed.</summary>
        [Parameter]
        public ScriptBlock? End { get; set; }

        /// <summary>Python's ThreadPoolExecutor default: enough threads for I/O-bound items, at most 32.</summary>
        internal static int DefaultThrottleLimit => Math.Min(32, Environment.ProcessorCount + 4);

        protected override void BeginProcessing()
        {
            _timeout = BoundSeconds(nameof(Timeout), Timeout);
            _itemTimeout = BoundSeconds(nameof(ItemTimeout), ItemTimeout);
            ValidateLimits();
            _watch.Start();
            if (IsRemote)
            {
                // Before anything runs: the sessions must be open.
                CheckSessions();
            }

            bool inline = ThreadingMode.IsInline(this);
            // In a job's own thread the caller evaluated the $using: values already: this runspace lacks its variables.
            PoolJob.Carried? carried = PoolJob.TakeCarried(ScriptBlock);
            WorkerScript script = carried?.Script ?? WorkerScript.Create(ScriptBlock, this);
            _script = script;
            PoolSetup setup = carried?.Setup ?? new PoolSetup(
                Begin == null ? null : WorkerScript.Create(Begin, this),
                End == null ? null : WorkerScript.Create(End, this),
                // -Session imports -Module on the node by name: the caller need not have it.
                IsRemote ? WorkerImports.Resolve(this, Function, null) : ResolveImports(),
                PoolLoopScript.TakesPipelineInput(ScriptBlock));
            RefuseWhatCannotCross(script, setup);
            if (carried == null)
            {
                MissingUsingHint.WarnIfAny(this, ScriptBlock, Begin);
                if (Begin != null)
                {
                    MissingUsingHint.WarnIfAny(this, Begin, which: "The -Begin block");
                }

                if (End != null)
                {
                    MissingUsingHint.WarnIfAny(this, End, Begin, "The -End block");
                }
            }

            if (AsJob)
            {
                // Validated above like any call; the job starts once all input is in (EndProcessing).
                _job = new JobInput(script, setup);
                return;
            }

            _activityId = Interlocked.Increment(ref s_progressActivityId);
            _nextProgress = s_progressDelay;
            object[]? arguments = WorkerValues.ForWorker(ArgumentList, this);
            if (inline)
            {
                // $PSThreadingMode = 'Inline': the items run on this thread, as they arrive (see InlinePool).
                _inline = StartInline(script, setup, arguments);
                return;
            }

            if (IsRemote)
            {
                _remote = StartRemote(script, setup, arguments);
                _remote.Scheduler.HaltsOnFailure = ErrorsStop();
                ApplyLimits(_remote.Scheduler, _remote.Records.Enqueue);
                return;
            }

            _call = new PoolCall(script, PoolLoopScript.For(ScriptBlock), arguments, CallerContext.Capture(this), PreferenceOverrides(), ThrottleLimit, Ordered, UseNewRunspace, setup);
            _call.Isolation = Isolation;
            // An error written under Stop ends the call: the first failure must keep every later item from starting.
            _call.Scheduler.HaltsOnFailure = ErrorsStop();
            ApplyLimits(_call);
        }

        protected override void ProcessRecord()
        {
            if (_job != null)
            {
                CollectForJob();
                return;
            }

            if (_inline != null)
            {
                long? total = MyInvocation.ExpectingInput ? null : InputObject?.Length;
                try
                {
                    ForEachInput(item => _inline.Run(item, total), () => _inline.IsEnded);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    // -ErrorAction Stop: -End still closes what -Begin opened.
                    RunInlineEnd(_inline);
                    throw;
                }

                return;
            }

            if (_remote != null)
            {
                try
                {
                    ForEachInput(AddRemote, () => _ended);
                }
                catch
                {
                    // Ctrl+C, -ErrorAction Stop, a downstream Select-Object -First: the remote pipelines stop first.
                    StopRemote(s_endGrace);
                    throw;
                }

                return;
            }

            if (_ended || _call == null)
            {
                return;
            }

            try
            {
                ForEachInput(Add, () => _ended);
            }
            catch
            {
                // Ctrl+C, -ErrorAction Stop, a downstream Select-Object -First: the workers stop first.
                EndCall();
                throw;
            }
        }

        /// <summary>The items of this record: from the pipeline the object is one item, given directly each element is one.</summary>
        private void ForEachInput(Action<object?> add, Func<bool> ended)
        {
            if (MyInvocation.ExpectingInput)
            {
                // The binder wraps a single piped object in an array.
                add(InputObject == null ? null : InputObject.Length == 1 ? InputObject[0] : InputObject);
            }
            else if (InputObject != null)
            {
                foreach (object element in InputObject)
                {
                    add(element);
                    if (ended())
                    {
                        break;
                    }
                }
            }
        }

        protected override void EndProcessing()
        {
            if (_job != null)
            {
                if (ThreadingMode.IsInline(this))
                {
                    RunJobInline();
                }
                else
                {
                    StartJob();
                }

                return;
            }

            if (_inline != null)
            {
                RunInlineEnd(_inline);
                return;
            }

            if (_remote != null)
            {
                EndRemoteInput();
                return;
            }

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

                    // The workers are only giving their runspaces back (or running -End): waiting keeps them warm for
                    // the next call.
                    WaitForWorkersToEnd();
                    WriteRecords();
                    ThrowIfBeginFailed();
                    WriteEndOutput();
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

                if (disposing && _remote != null && !_remote.Scheduler.IsDone)
                {
                    StopRemote(s_endGrace);
                }
            }
            finally
            {
                base.Dispose(disposing);
            }
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

        /// <summary>True when an error this cmdlet writes throws: -ErrorAction Stop, or the caller's $ErrorActionPreference.</summary>
        private bool ErrorsStop()
        {
            object? action = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound)
                ? bound
                : GetVariableValue("ErrorActionPreference");
            return LanguagePrimitives.TryConvertTo(action, out ActionPreference preference) && preference == ActionPreference.Stop;
        }

        /// <summary>A timeout given in seconds, or null when not given or no limit (-1, too large to ever pass).</summary>
        private TimeSpan? BoundSeconds(string parameter, double seconds) =>
            MyInvocation.BoundParameters.ContainsKey(parameter) ? TimeoutParameter.ToLimit(this, parameter, seconds) : null;

        private static KeyValuePair<string, object?> Preference(string name, ActionPreference value) => new KeyValuePair<string, object?>(name, value);

        private static bool IsOn(object? value) => value is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(value);

    }
}

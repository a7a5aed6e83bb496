using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using PSThreading.Attributes;
using PSThreading.Core.Pool;
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
    public sealed partial class InvokeThreadPoolCommand : CancellablePSCmdlet
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
        // The results one drain takes, reused: taken before the records, written after them.
        private readonly List<PoolWorkItem> _readyResults = new List<PoolWorkItem>();

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

    }
}

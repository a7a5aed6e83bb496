using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Inline;
using PSThreading.Lifecycle;
using PSThreading.Pool;
using PSThreading.Runspaces;
using PSThreading.Streams;
using PSThreading.Terminal;
using PSThreading.Values;
using PSThreading.Workers;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>Thread(target=..., args=...).start()</c>: runs a block on a new dedicated thread with its
    /// own runspace and returns the thread at once.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "WorkerThread")]
    [OutputType(typeof(WorkerThread))]
    public sealed partial class StartWorkerThreadCommand : WorkerStartingCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public ScriptBlock ScriptBlock { get; set; } = null!;

        [Parameter]
        [Alias("Args")]
        public object[]? ArgumentList { get; set; }

        [Parameter]
        [ValidateThreadName]
        public string? Name { get; set; }

        [Parameter]
        public SwitchParameter Daemon { get; set; }

        /// <summary>
        /// Seconds to wait before the block starts (Python's <c>threading.Timer</c>); the thread is listed as
        /// Scheduled until then, and Stop-WorkerThread cancels it.
        /// </summary>
        [Parameter]
        [ValidateRange(0.0, double.MaxValue)]
        public double Delay { get; set; }

        /// <summary>
        /// Keeps the worker's host text (Write-Host) for the join, which writes it as information records (ThreadJob's
        /// behaviour), instead of showing it live.
        /// </summary>
        [Parameter]
        public SwitchParameter HoldHostOutput { get; set; }

        /// <summary>
        /// Values after the block that no parameter takes: `Start-WorkerThread { param($x) } 5` met the binder's stock
        /// "positional parameter cannot be found"; caught here to say that the block's arguments go to -ArgumentList.
        /// A field, not a property: PowerShell lists fields after every property, the base class's -Function and
        /// -Module included, so the command's syntax keeps its order.
        /// </summary>
        [Parameter(ValueFromRemainingArguments = true, DontShow = true)]
        public object[]? UnboundArgument;

        protected override void ProcessRecord()
        {
            if (UnboundArgument != null && UnboundArgument.Length > 0)
            {
                string given = string.Join(" ", UnboundArgument.Select(a => a?.ToString()));
                ThrowTerminatingError(new ErrorRecord(
                    new ParameterBindingException($"A positional parameter cannot be found that accepts argument '{given}'. " +
                        $"To pass values to the block's param(), use -ArgumentList: Start-WorkerThread {{ param($x) ... }} -ArgumentList {given}"),
                    "PositionalParameterNotFound",
                    ErrorCategory.InvalidArgument,
                    UnboundArgument));
            }

            if (double.IsNaN(Delay))
            {
                ThrowTerminatingError(ParameterValidationError.Create(nameof(Delay), Delay, "The -Delay NaN is not valid. Give the seconds to wait before the block starts, 0 or more."));
            }

            bool inline = ThreadingMode.IsInline(this);
            WorkerScript script = WorkerScript.Create(ScriptBlock, this);

            WorkerImports? imports = ResolveImports();
            object[]? arguments = WorkerValues.ForWorker(ArgumentList, this);
            RefuseWhatCannotCross(script);
            MissingUsingHint.WarnIfAny(this, ScriptBlock);
            if (inline)
            {
                // $PSThreadingMode = 'Inline': the block runs now, on this thread, and the ended thread is returned.
                InlineScript inlineScript = InlineScript.Create(ScriptBlock, script, Array.Empty<KeyValuePair<string, object?>>());
                WriteObject(InlineThread.RunToEnd(this, inlineScript, arguments, Name, Daemon, DelayToWait(), HoldHostOutput, new OriginalRecordWriter(this).Write));
                return;
            }

            if (Isolation == ThreadIsolation.Process)
            {
                WriteObject(StartInProcess(script, arguments, imports));
                return;
            }

            LiveHostOutput notices = LiveHostOutput.For(this);
            LiveHostOutput? hostOutput = HoldHostOutput ? null : notices;
            var body = new ScriptThreadBody(script, arguments, CallerContext.Capture(this, CommonPreferences.Bound(this)), hostOutput, imports)
            {
                Notices = notices,
            };
            ExitJoin.EnsureRegistered(this);

            WorkerThread thread;
            try
            {
                thread = ThreadRegistry.StartWorker(Name, Daemon, body, PipelineStack.Size, DelayToWait());
            }
            catch (Exception ex) when (ex is OutOfMemoryException || ex is System.Threading.ThreadStartException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ThreadStartFailed, ErrorCategory.ResourceUnavailable, Name));
                return;
            }

            WriteObject(thread);
        }

        /// <summary>The delay as a wait; a delay too long to pass is capped where WaitOne still takes it.</summary>
        private TimeSpan? DelayToWait() => Delay > 0
            ? TimeSpan.FromMilliseconds(Math.Min(Delay * 1000, int.MaxValue - 1))
            : (TimeSpan?)null;
    }
}

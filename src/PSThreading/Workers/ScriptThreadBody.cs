using System;
using System.Collections;
using System.Management.Automation;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Runspaces;
using PSThreading.Streams;
using PSThreading.Terminal;
using PSThreading.Values;

namespace PSThreading.Workers
{
    /// <summary>
    /// The body of a worker started by Start-WorkerThread: runs the script in a warm runspace on the
    /// worker's own thread, queuing output objects and the records of every stream but progress, in the
    /// order written, for the join.
    /// </summary>
    internal sealed class ScriptThreadBody : IThreadBody, IThreadFailure, IResultHolder
    {
        private readonly InvocationStop _stop = new InvocationStop();
        private readonly WorkerScript _script;
        private readonly object[] _arguments;
        private readonly CallerContext _caller;
        private readonly WorkerImports? _imports;
        private readonly LiveHostOutput? _hostOutput;
        private readonly IResultHolder? _holder;
        private WorkerRunspace? _usedRunspace;
        private int _failureReported;

        /// <param name="hostOutput">Where the worker's host text goes live; null holds it for the join (-HoldHostOutput).</param>
        /// <param name="holder">Where the results are held instead of the thread's queue (an -AsJob job's streams), or null.</param>
        public ScriptThreadBody(WorkerScript script, object[]? arguments, CallerContext caller, LiveHostOutput? hostOutput, WorkerImports? imports = null, IResultHolder? holder = null)
        {
            _holder = holder;
            _imports = imports;
            _script = script;
            _arguments = arguments ?? Array.Empty<object>();
            _caller = caller;
            _hostOutput = hostOutput;
        }

        /// <summary>Where the module's notices about the thread (a prompt waiting for a join) go; set by Start-WorkerThread.</summary>
        public LiveHostOutput? Notices { get; set; }

        /// <summary>True when the worker's host text (Write-Host) is held for the join instead of written live.</summary>
        public bool HoldsHostOutput => _hostOutput == null;

        /// <summary>The error record of the terminating error that failed the thread, with its script position.</summary>
        public ErrorRecord? FailureRecord { get; private set; }

        /// <summary>
        /// True for the one join that is to write the failure: joins racing on one failed thread report it once.
        /// </summary>
        public bool TryClaimFailureReport() => Interlocked.Exchange(ref _failureReported, 1) == 0;

        bool IResultHolder.TryHold(object item) => _holder != null && _holder.TryHold(item);

        bool IResultHolder.TryTakeHeld(out object? item)
        {
            item = null;
            return _holder != null && _holder.TryTakeHeld(out item);
        }

        int IResultHolder.HeldCount => _holder?.HeldCount ?? 0;

        void IResultHolder.ThreadEnded(WorkerState outcome) => _holder?.ThreadEnded(outcome);

        public void Run(WorkerThread thread)
        {
            try
            {
                RunScript(thread);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                if (_holder == null)
                {
                    UnwaitedFailureNotice.WriteIfUnwaited(thread, FailureRecord?.Exception.Message ?? ex.Message, _hostOutput);
                }
                else if (TryClaimFailureReport())
                {
                    // A job's failure shows as its Failed state (Get-Job), not on the console. Its record is held with
                    // the results, before the thread is marked ended: Receive-Job gets it, and a join reads it as the
                    // last result instead of writing its own.
                    _holder.TryHold(ThreadFailureRecord.For(thread, ex, FailureRecord));
                }

                throw;
            }
        }

        private void RunScript(WorkerThread thread)
        {
            WorkerRunspace runspace = RunspaceCache.Take(_caller.Host, _caller.LanguageMode);
            try
            {
                runspace.PrepareFor(_caller);
                _imports?.Define(runspace.Runspace);
                using (PowerShell ps = PowerShell.Create())
                {
                    ps.Runspace = runspace.Runspace;
                    ps.AddScript(_script.Text, useLocalScope: true);
                    // Script blocks among the values arrive as text: rebuilt here, on this thread, in this runspace.
                    foreach (object argument in WorkerValues.InWorker(_arguments, runspace.Runspace))
                    {
                        ps.AddArgument(argument);
                    }

                    Hashtable? usingValues = WorkerValues.InWorker(_script.UsingValues, runspace.Runspace);
                    if (usingValues != null)
                    {
                        ps.AddParameter(WorkerScript.UsingValuesParameter, usingValues);
                    }

                    var output = new PSDataCollection<PSObject>();
                    QueueStreams(ps.Streams, output, thread);

                    if (!_stop.TryBegin(ps))
                    {
                        throw new OperationCanceledException();
                    }

                    runspace.WorkerUI?.Serve(thread, _hostOutput, Notices ?? _hostOutput, _caller.ShowsInformation);
                    try
                    {
                        ps.Invoke<PSObject>(null, output);
                    }
                    finally
                    {
                        runspace.WorkerUI?.EndServe();
                        _stop.End();
                    }

                    // A stop that came just before the invocation began can leave it ended without running
                    // (seen as Completed here): a thread asked to stop reports Stopped, not Completed.
                    if (ps.InvocationStateInfo.State == PSInvocationState.Stopped || _stop.WasRequested)
                    {
                        throw new OperationCanceledException();
                    }
                }
            }
            catch (PipelineStoppedException)
            {
                throw new OperationCanceledException();
            }
            catch (InvalidOperationException) when (_stop.WasRequested)
            {
                // The stop reached the invocation before it started: PowerShell then refuses to start it
                // ("a command is currently stopping"). The thread was stopped, not failed.
                throw new OperationCanceledException();
            }
            catch (RuntimeException ex) when (_stop.WasRequested && ex.ErrorRecord.Exception is PipelineStoppedException)
            {
                throw new OperationCanceledException();
            }
            catch (RuntimeException ex)
            {
                // The script's own terminating error: keep its record for the join, fail with its original exception.
                FailureRecord = ex.ErrorRecord;
                ExceptionDispatchInfo.Capture(ThrownObject.ExceptionOf(ex.ErrorRecord) ?? ex).Throw();
                throw; // Not reached: the compiler does not know Throw() never returns.
            }
            finally
            {
                // Cleaned in AfterEnd, once the join has returned; announced now so a new worker waits for it.
                _usedRunspace = runspace;
                RunspaceCache.BeginReturn(runspace);
            }
        }

        public void AfterEnd()
        {
            WorkerRunspace? used = Interlocked.Exchange(ref _usedRunspace, null);
            if (used != null)
            {
                RunspaceCache.Return(used);
            }
        }

        // Not on the caller's thread: the stop does not wait for the worker's pipeline to unwind.
        public void RequestStop() => _stop.Request();

        /// <summary>
        /// Every handler runs on this thread as the script writes, so the one queue keeps the script's order.
        /// Progress stays out: it is live state, not a result.
        /// </summary>
        private void QueueStreams(PSDataStreams streams, PSDataCollection<PSObject> output, WorkerThread thread)
        {
            output.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<PSObject>)sender);
            streams.Error.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<ErrorRecord>)sender);
            streams.Warning.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<WarningRecord>)sender);
            streams.Verbose.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<VerboseRecord>)sender);
            streams.Debug.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<DebugRecord>)sender);
            streams.Information.DataAdded += (sender, e) => MoveInformation(thread, (PSDataCollection<InformationRecord>)sender);
        }

        private static void MoveTo<T>(WorkerThread thread, PSDataCollection<T> collection)
        {
            foreach (T item in collection.ReadAll())
            {
                if (item != null)
                {
                    thread.AddResult(item);
                }
            }
        }

        private void MoveInformation(WorkerThread thread, PSDataCollection<InformationRecord> collection)
        {
            foreach (InformationRecord record in collection.ReadAll())
            {
                // Host text was shown live already: the join must not show it twice.
                if (record != null && (HoldsHostOutput || !HostRecords.IsHostRecord(record)))
                {
                    thread.AddResult(record);
                }
            }
        }
    }
}

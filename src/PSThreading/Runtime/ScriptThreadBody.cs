using System;
using System.Collections;
using System.Management.Automation;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSThreading.Core.Threads;

namespace PSThreading.Runtime
{
    /// <summary>
    /// The body of a worker started by Start-WorkerThread: runs the script in a warm runspace on the
    /// worker's own thread, queuing output objects and error records, in the order written, for the join.
    /// </summary>
    internal sealed class ScriptThreadBody : IThreadBody, IThreadFailure
    {
        private readonly object _sync = new object();
        private readonly WorkerScript _script;
        private readonly object[] _arguments;
        private readonly CallerContext _caller;
        private PowerShell? _running;
        private WorkerRunspace? _usedRunspace;
        private bool _stopRequested;
        private int _failureReported;

        public ScriptThreadBody(WorkerScript script, object[]? arguments, CallerContext caller)
        {
            _script = script;
            _arguments = arguments ?? Array.Empty<object>();
            _caller = caller;
        }

        /// <summary>The error record of the terminating error that failed the thread, with its script position.</summary>
        public ErrorRecord? FailureRecord { get; private set; }

        /// <summary>
        /// True for the one join that is to write the failure: joins racing on one failed thread report it once.
        /// </summary>
        public bool TryClaimFailureReport() => Interlocked.Exchange(ref _failureReported, 1) == 0;

        public void Run(WorkerThread thread)
        {
            WorkerRunspace runspace = RunspaceCache.Take(_caller.Host, _caller.LanguageMode);
            try
            {
                runspace.PrepareFor(_caller);
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
                    // Both handlers run on this thread as the script writes, so the queue keeps the script's order.
                    output.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<PSObject>)sender);
                    ps.Streams.Error.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<ErrorRecord>)sender);

                    lock (_sync)
                    {
                        if (_stopRequested)
                        {
                            throw new OperationCanceledException();
                        }

                        _running = ps;
                    }

                    try
                    {
                        ps.Invoke<PSObject>(null, output);
                    }
                    finally
                    {
                        lock (_sync)
                        {
                            _running = null;
                        }
                    }

                    // A stop that came just before the invocation began can leave it ended without running
                    // (seen as Completed here): a thread asked to stop reports Stopped, not Completed.
                    if (ps.InvocationStateInfo.State == PSInvocationState.Stopped || StopWasRequested())
                    {
                        throw new OperationCanceledException();
                    }
                }
            }
            catch (PipelineStoppedException)
            {
                throw new OperationCanceledException();
            }
            catch (InvalidOperationException) when (StopWasRequested())
            {
                // The stop reached the invocation before it started: PowerShell then refuses to start it
                // ("a command is currently stopping"). The thread was stopped, not failed.
                throw new OperationCanceledException();
            }
            catch (RuntimeException ex) when (_stopRequested && ex.ErrorRecord.Exception is PipelineStoppedException)
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

        private bool StopWasRequested()
        {
            lock (_sync)
            {
                return _stopRequested;
            }
        }

        public void RequestStop()
        {
            PowerShell? running;
            lock (_sync)
            {
                _stopRequested = true;
                running = _running;
            }

            // Not on the caller's thread: Stop() would block it until the worker's pipeline unwinds.
            if (running != null)
            {
                PipelineStop.Begin(running);
            }
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
    }
}

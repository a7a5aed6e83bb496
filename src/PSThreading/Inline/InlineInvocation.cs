using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Inline
{
    /// <summary>How one inline run ended.</summary>
    internal enum InlineOutcome
    {
        Completed,
        Failed,
        Stopped,
    }

    /// <summary>
    /// Runs an <see cref="InlineScript"/> on the caller's thread, as a nested pipeline of the caller's runspace
    /// (PowerShell.Create(CurrentRunspace) runs in the caller's current scope and session state), so commands
    /// resolve as in the caller. Its streams arrive apart, as a worker's do, for the cmdlet to write. Another
    /// thread may <see cref="Stop"/> it: that is how a timeout ends a block that runs on the caller's own thread.
    /// </summary>
    internal sealed class InlineInvocation
    {
        private readonly InvocationStop _stop = new InvocationStop();

        /// <summary>The terminating error of a Failed run, with its script position.</summary>
        public ErrorRecord? Error { get; private set; }

        /// <summary>
        /// True when the block polled for the caller (a second timed wait that only the caller could end, see
        /// InlineRun): it was stopped there and ended Failed with that <see cref="Error"/>.
        /// </summary>
        public bool PolledForCaller { get; private set; }

        /// <summary>
        /// Runs the block once. Output goes to <paramref name="onOutput"/>, and error, warning, verbose, debug and
        /// information records to <paramref name="onRecord"/>, in the order written (progress records go
        /// straight to the host, as a nested pipeline writes them). A stop that
        /// did not come from <see cref="Stop"/> (Ctrl+C) is thrown on as the pipeline stop. The caller's location
        /// and global variables are as before once it returns; <paramref name="worker"/>, when given, is what
        /// Get-ActiveThread -Current reports meanwhile.
        /// </summary>
        public InlineOutcome Run(
            InlineScript script, object? item, object[] arguments, Action<PSObject> onOutput, Action<object> onRecord, WorkerThread? worker = null, int attempt = 1)
        {
            var caller = new InlineCallerState();
            InlineFrame frame = InlineRun.Enter(_stop.Request);
            WorkerThread? callerEntry = worker == null ? null : ThreadRegistry.SwapCurrent(worker);
            try
            {
                InlineOutcome outcome = RunBlock(script, item, arguments, caller, onOutput, onRecord, attempt);
                if (frame.PollingError == null)
                {
                    return outcome;
                }

                // Stopped at the poll, or ended by its error (or, caught, by what came after): the poll is the outcome.
                PolledForCaller = true;
                if (outcome != InlineOutcome.Failed || !IsFrom(Error, frame.PollingError))
                {
                    Error = LockErrorRecord.From(frame.PollingError);
                }

                return InlineOutcome.Failed;
            }
            finally
            {
                if (worker != null)
                {
                    ThreadRegistry.SwapCurrent(callerEntry);
                }

                InlineRun.Exit(frame);
                caller.RestoreIfNeeded();
            }
        }

        private InlineOutcome RunBlock(
            InlineScript script, object? item, object[] arguments, InlineCallerState caller, Action<PSObject> onOutput, Action<object> onRecord, int attempt)
        {
            try
            {
                using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    ps.AddScript(script.WrapperText, useLocalScope: true)
                        .AddParameter(InlineScript.BlockParameter, script.Block)
                        .AddParameter(InlineScript.ArgumentsParameter, arguments)
                        .AddParameter(InlineScript.ItemParameter, item)
                        .AddParameter(InlineScript.CallerParameter, caller);
                    var caught = new List<ErrorRecord>(1);
                    if (script.CatchesErrors)
                    {
                        ps.AddParameter(InlineScript.CaughtParameter, caught);
                    }

                    foreach (KeyValuePair<string, object?> variable in script.Variables)
                    {
                        ps.AddParameter(variable.Key, variable.Key == InlineScript.AttemptVariable ? attempt : variable.Value);
                    }

                    var output = new PSDataCollection<PSObject>();
                    // The handlers run on this thread as the block writes, so each stream keeps the block's order.
                    // The wrapper merges the warning, verbose, debug and information records into the output.
                    output.DataAdded += (sender, e) => Forward((PSDataCollection<PSObject>)sender, value =>
                    {
                        if (value.BaseObject is InformationalRecord || value.BaseObject is InformationRecord)
                        {
                            onRecord(value.BaseObject);
                        }
                        else
                        {
                            onOutput(value);
                        }
                    });
                    ps.Streams.Error.DataAdded += (sender, e) => Forward((PSDataCollection<ErrorRecord>)sender, onRecord);
                    InlineOutcome outcome = Invoke(ps, output);
                    if (outcome == InlineOutcome.Completed && caught.Count > 0)
                    {
                        Error = caught[0];
                        return InlineOutcome.Failed;
                    }

                    return outcome;
                }
            }
            catch (RuntimeException ex) when (!(ex is PipelineStoppedException))
            {
                // The block's own terminating error (a throw, -ErrorAction Stop, a refused wait).
                Error = ex.ErrorRecord;
                return InlineOutcome.Failed;
            }
            catch (PipelineStoppedException) when (_stop.WasRequested)
            {
                return InlineOutcome.Stopped;
            }
        }

        private static bool IsFrom(ErrorRecord? record, Exception cause)
        {
            for (Exception? ex = record?.Exception; ex != null; ex = ex.InnerException)
            {
                if (ReferenceEquals(ex, cause))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Ends the running block from another thread (a timer); must not block.</summary>
        public void Stop() => _stop.Request();

        private InlineOutcome Invoke(PowerShell ps, PSDataCollection<PSObject> output)
        {
            if (!_stop.TryBegin(ps))
            {
                return InlineOutcome.Stopped;
            }

            try
            {
                ps.Invoke<PSObject>(null, output);
            }
            finally
            {
                _stop.End();
            }

            if (ps.InvocationStateInfo.State != PSInvocationState.Stopped)
            {
                return InlineOutcome.Completed;
            }

            if (_stop.WasRequested)
            {
                return InlineOutcome.Stopped;
            }

            // Stopped by nothing of ours: the caller's pipeline is stopping (Ctrl+C).
            throw new PipelineStoppedException();
        }

        private static void Forward<T>(PSDataCollection<T> collection, Action<T> to)
        {
            foreach (T item in collection.ReadAll())
            {
                if (item != null)
                {
                    to(item);
                }
            }
        }
    }
}

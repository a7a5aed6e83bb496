using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSThreading.Processes;
using PSThreading.Values;

namespace PSThreading.Remote
{
    /// <summary>A session's set-up around its items: -Module, -Function and -Begin before the first batch, -End after the last.</summary>
    internal sealed partial class RemoteSessionWorker
    {
        /// <summary>Imports, definitions and -Begin, in the session's global scope. Not Finished: the worker ends.</summary>
        private RemoteOutcome Prepare(ref string? missingModule, ref string? reason)
        {
            RemoteSetup setup = _pool.Setup;
            if (setup.Modules != null)
            {
                PSObject? missing = null;
                RemoteOutcome outcome = _runner.RunScript(
                    RemoteScripts.ImportModules,
                    useLocalScope: true,
                    new Dictionary<string, object?> { ["Names"] = setup.Modules },
                    null,
                    o => missing ??= o,
                    QueueRecord);
                if (outcome != RemoteOutcome.Finished)
                {
                    return outcome;
                }

                if (missing != null)
                {
                    missingModule = missing.Properties["Module"]?.Value as string ?? "?";
                    reason = missing.Properties["Reason"]?.Value as string ?? string.Empty;
                    return RemoteOutcome.Finished;
                }
            }

            if (setup.Definitions != null)
            {
                RemoteOutcome outcome = _runner.RunScript(setup.Definitions, useLocalScope: false, null, null, o => { }, QueueRecord);
                if (outcome != RemoteOutcome.Finished)
                {
                    return outcome;
                }
            }

            if (setup.Begin != null)
            {
                RemoteOutcome outcome = RunSetupBlock(setup.Begin, o => _pool.Records.Enqueue(o));
                if (outcome == RemoteOutcome.Failed)
                {
                    _pool.FailBegin(BeginError(_runner.Failure));
                }

                return outcome;
            }

            return RemoteOutcome.Finished;
        }

        private RemoteOutcome RunSetupBlock(WorkerScript block, Action<PSObject> output)
        {
            // Script blocks among its $using: values cross as marked tables, made blocks again on the node by a prelude.
            Hashtable? usingValues = CrossProcessValues.ForNode(block.UsingValues);
            bool revives = CrossProcessValues.NeedsReviving(Array.Empty<object>(), usingValues);
            // Dot-sourced in the global scope: what -Begin sets is what the items (child scopes) see.
            return _runner.RunScript(block.Text, useLocalScope: false, null, usingValues, o => output(RemoteRecords.Output(o, Node)), QueueRecord, revives);
        }

        private ErrorRecord BeginError(Exception? failure)
        {
            ErrorRecord inner = (failure as IContainsErrorRecord)?.ErrorRecord
                ?? new ErrorRecord(failure ?? new RuntimeException("-Begin failed."), "BeginFailed", ErrorCategory.NotSpecified, null);
            return RemoteRecords.Error(inner, Node);
        }

        /// <summary>After the last batch; also after a stop, for the grace the stop gave (-End closes what -Begin opened).</summary>
        private void RunEnd()
        {
            WorkerScript? end = _pool.Setup.End;
            if (end == null || !Node.IsOpen)
            {
                return;
            }

            TimeSpan? grace;
            lock (_sync)
            {
                grace = _endGrace;
            }

            if (grace.HasValue)
            {
                if (grace.Value <= TimeSpan.Zero)
                {
                    return;
                }

                _runner.ClearStop();
                _endTimer = new Timer(_ => _runner.Stop(), null, grace.Value, System.Threading.Timeout.InfiniteTimeSpan);
            }

            RemoteOutcome outcome = RunSetupBlock(end, o => _pool.EndOutput.Enqueue(o));
            if (outcome == RemoteOutcome.Failed && _runner.Failure != null)
            {
                _pool.Records.Enqueue(BeginError(_runner.Failure));
            }
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Processes
{
    /// <summary>One invocation in the place: started, waited for, stopped, and killed with its place when a stop does not end it.</summary>
    internal sealed partial class RemoteItemRunner
    {
        private void Prepare(RemoteRunspace place)
        {
            PowerShell ps = ProcessItemScript.PrepareInvocation(place, _call.WorkerPreferences(), _call.Setup.Imports);
            var errors = new List<ErrorRecord>();
            (RemoteOutcome outcome, ErrorRecord? error) = Invoke(ps, place, null, () => IsCallStopping(), null, errors);
            if (outcome == RemoteOutcome.Failed || (outcome == RemoteOutcome.Completed && errors.Count > 0))
            {
                // A module that does not import there: the call fails as a -Begin failure does, before any item.
                var failure = new PoolBeginException(Name, error ?? errors[0]);
                _call.FailBegin(failure);
                throw failure;
            }
        }

        private bool RunBegin(RemoteRunspace place)
        {
            WorkerScript? begin = _call.Setup.Begin;
            if (begin == null)
            {
                _begun = true;
                return !IsCallStopping();
            }

            var output = new PSDataCollection<PSObject>();
            (RemoteOutcome outcome, ErrorRecord? error) = Invoke(SetupInvocation(begin, place), place, output, () => IsCallStopping(), null, null);
            switch (outcome)
            {
                case RemoteOutcome.Completed:
                    _begun = true;
                    _call.KeepSetupOutput(output, isBegin: true);
                    return true;
                case RemoteOutcome.Failed when !IsCallStopping():
                    var failure = new PoolBeginException(Name, error!);
                    _call.FailBegin(failure);
                    throw failure;
                case RemoteOutcome.Lost:
                case RemoteOutcome.Killed:
                    DropPlace(place);
                    return false;
                default:
                    return false;
            }
        }

        private void RunEnd(RemoteRunspace place)
        {
            WorkerScript? end = _call.Setup.End;
            if (end == null)
            {
                return;
            }

            DateTime started = DateTime.UtcNow;
            var output = new PSDataCollection<PSObject>();
            (RemoteOutcome outcome, ErrorRecord? error) = Invoke(SetupInvocation(end, place), place, output, EndShouldStop, () => EndDeadline(started), null);
            _call.KeepSetupOutput(output, isBegin: false);
            if (outcome == RemoteOutcome.Failed && error != null)
            {
                _call.Records.Enqueue(error);
                _scheduler.Signal();
            }
            else if (outcome == RemoteOutcome.Lost || outcome == RemoteOutcome.Killed)
            {
                place.Abandon();
            }
        }

        private bool EndShouldStop()
        {
            lock (_sync)
            {
                return _endStopping;
            }
        }

        private DateTime? EndDeadline(DateTime started)
        {
            lock (_sync)
            {
                return _endGrace.HasValue ? started + _endGrace.Value : (DateTime?)null;
            }
        }

        // Dot-sourced into the global scope, as in a runspace worker: what -Begin sets, every item sees.
        private PowerShell SetupInvocation(WorkerScript script, RemoteRunspace place) => ProcessItemScript.BlockInvocation(place, script, _arguments, useLocalScope: false);

        private void RunItem(PoolWorkItem item)
        {
            RemoteRunspace place = _place!;
            ErrorRecord? refusal = CrossProcessValues.Refusal(item.Input, "The input item");
            if (refusal != null)
            {
                TakeCurrent();
                _scheduler.Fail(item, refusal);
                return;
            }

            object? input = CrossProcessValues.ForChild(item.Input);
            PowerShell ps = PowerShell.Create();
            ps.Runspace = place.Runspace;
            ps.AddScript(ProcessItemScript.Item, useLocalScope: true)
                .AddParameter(ProcessItemScript.ItemParameter, input)
                .AddParameter(ProcessItemScript.BlockParameter, _call.Script.Text)
                .AddParameter(ProcessItemScript.ArgumentsParameter, _arguments)
                .AddParameter(ProcessItemScript.LocationParameter, _call.CallerLocation)
                .AddParameter(ProcessItemScript.PipeParameter, _call.Setup.TakesPipelineInput)
                .AddParameter(ProcessItemScript.LocksParameter, _revivesValues || !ReferenceEquals(input, item.Input))
                .AddParameter(ProcessItemScript.AttemptParameter, item.Attempt);
            if (_usingValues != null)
            {
                // The same table twice: the item script revives it in place (see ProcessItemScript.Item).
                ps.AddParameter(ProcessItemScript.UsingParameter, _usingValues);
                ps.AddParameter(WorkerScript.UsingValuesParameter, _usingValues);
            }

            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (sender, e) => _call.StreamOutput(item, ((PSDataCollection<PSObject>)sender!).ReadAll());
            // Under a rate the start counts from here, as for a thread (see ThreadPoolScheduler.MarkCodeStarting).
            _scheduler.MarkCodeStarting(item);
            (RemoteOutcome outcome, ErrorRecord? error) = Invoke(ps, place, output, () => ItemShouldStop(), null, null);
            if (TakeCurrent() == null)
            {
                return;
            }

            switch (outcome)
            {
                case RemoteOutcome.Completed:
                    _scheduler.Complete(item, Array.Empty<object>());
                    break;
                case RemoteOutcome.Failed when !ItemShouldStop():
                    // A prompt that failed in the child ends the item as PromptNotAnswered, as a written one does.
                    _scheduler.Fail(item, RemoteRecords.Revive(error!));
                    break;
                case RemoteOutcome.Lost:
                    _scheduler.Fail(item, place.LostError(item.Input, poolItem: true));
                    DropPlace(place);
                    break;
                case RemoteOutcome.Killed:
                    // A timed-out item has its ItemTimeout error already; a stopped call reports the item stopped.
                    _scheduler.EndStopped(item, StoppedError(item));
                    DropPlace(place);
                    break;
                default:
                    _scheduler.EndStopped(item, StoppedError(item));
                    break;
            }
        }

        private (RemoteOutcome, ErrorRecord?) Invoke(PowerShell ps, RemoteRunspace place, PSDataCollection<PSObject>? output, Func<bool> shouldStop, Func<DateTime?>? deadline, List<ErrorRecord>? errors)
        {
            ForwardStreams(ps, errors);
            return RemoteInvocation.Run(ps, place, output, shouldStop, deadline, _wake);
        }

        private bool ItemShouldStop()
        {
            lock (_sync)
            {
                return _itemStopPending || _callStopping || _scheduler.IsCancelled;
            }
        }
    }
}

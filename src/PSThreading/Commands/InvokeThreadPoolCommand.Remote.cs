using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Core.Pool;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Processes;
using PSThreading.Remote;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// -Session: the items run on PowerShell remoting sessions instead of local workers (see <see cref="RemotePool"/>),
    /// through the same scheduler; this thread writes what comes back, as for local items.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        // A remote stop takes a round trip: the pipelines stop and the call returns within 2 s on loopback.
        private static readonly TimeSpan s_remoteStopWait = TimeSpan.FromMilliseconds(1500);

        private RemotePool? _remote;

        /// <summary>Sessions to run the items on (New-PSSession): each runs one batch at a time; a free one takes the next.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public PSSession[]? Session { get; set; }

        /// <summary>Items sent to a session in one round trip (-Session only).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int BatchSize { get; set; } = 1;

        private bool IsRemote => Session != null;

        /// <summary>Every session must be open before anything runs: this cmdlet never opens or closes the caller's sessions.</summary>
        private void CheckSessions()
        {
            foreach (PSSession? session in Session!)
            {
                RunspaceState? state = session?.Runspace?.RunspaceStateInfo.State;
                if (state != RunspaceState.Opened)
                {
                    string name = session == null ? "(null)" : $"{session.ComputerName} (session {session.Id}, {session.Name})";
                    var notOpen = new InvalidOperationException(
                        $"The session to {name} is {(state?.ToString() ?? "missing")}, not Opened: Invoke-ThreadPool runs items only on open sessions and never opens one itself. Open it again with New-PSSession, or leave it out of -Session.");
                    ThrowTerminatingError(new ErrorRecord(notOpen, ErrorIds.SessionNotOpened, ErrorCategory.InvalidArgument, session));
                }
            }
        }

        private RemotePool StartRemote(WorkerScript script, PoolSetup setup, object[]? arguments)
        {
            // A lock, queue or thread of this process would reach a node as a lifeless copy: refused before anything runs.
            const string What = "a remote session (-Session)";
            CrossProcessValues.CheckOrThrow(this, ArgumentList, script.UsingValues, What, toNode: true);
            CrossProcessValues.CheckOrThrow(this, null, setup.Begin?.UsingValues, What, toNode: true);
            CrossProcessValues.CheckOrThrow(this, null, setup.End?.UsingValues, What, toNode: true);
            var nodes = new List<RemoteNode>();
            for (int i = 0; i < Session!.Length; i++)
            {
                nodes.Add(new RemoteNode(Session[i], i));
            }

            Hashtable? preferences = null;
            foreach (KeyValuePair<string, object?> preference in PreferenceOverrides())
            {
                (preferences ??= new Hashtable(StringComparer.OrdinalIgnoreCase))[preference.Key] = preference.Value;
            }

            int throttle = MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : nodes.Count;
            return new RemotePool(
                nodes,
                new RemoteBatchScript(script.Text, arguments, script.UsingValues, setup.TakesPipelineInput, preferences),
                new RemoteSetup(setup.Imports?.Definitions, Module, setup.Begin, setup.End),
                throttle,
                BatchSize,
                Ordered);
        }

        private void AddRemote(object? input)
        {
            ThreadPoolScheduler scheduler = _remote!.Scheduler;
            while (!scheduler.HasRoom && !_ended)
            {
                PumpRemote(block: true);
            }

            if (_ended)
            {
                return;
            }

            if (_itemTimeout == TimeSpan.Zero)
            {
                scheduler.AddTimedOut(input);
            }
            else
            {
                AddToScheduler(scheduler, input);
            }

            if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value)
            {
                TimeOutRemote();
                return;
            }

            _remote.EnsureStarted();
            PumpRemote(block: false);
        }

        private void PumpRemote(bool block)
        {
            RemotePool pool = _remote!;
            ThreadPoolScheduler scheduler = pool.Scheduler;
            if (block)
            {
                scheduler.WaitForChange(NextWait(scheduler), CancelToken);
            }

            if (CancelToken.IsCancellationRequested)
            {
                StopRemote(TimeSpan.Zero);
                throw new PipelineStoppedException();
            }

            WriteRemoteResults();
            if (_itemTimeout.HasValue)
            {
                IReadOnlyList<PoolWorkItem> overdue = scheduler.TimeOutOverdue(_itemTimeout.Value);
                if (overdue.Count > 0)
                {
                    WriteRemoteResults();
                    pool.StopItems(overdue);
                }
            }

            ThrowIfRemoteFailed();
            if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value && !scheduler.IsDone)
            {
                TimeOutRemote();
                return;
            }

            WriteProgressIfDue(scheduler);
        }

        private void EndRemoteInput()
        {
            RemotePool pool = _remote!;
            try
            {
                if (_ended)
                {
                    return;
                }

                pool.Scheduler.CompleteAdding();
                while (!_ended && !pool.Scheduler.IsDone)
                {
                    PumpRemote(block: true);
                }

                // The sessions run -End (when given) and their workers end: what -End writes comes as it comes.
                while (!_ended && !pool.WaitForWorkers(TimeSpan.Zero))
                {
                    pool.Scheduler.WaitForChange(NextWait(pool.Scheduler), CancelToken);
                    if (CancelToken.IsCancellationRequested)
                    {
                        StopRemote(TimeSpan.Zero);
                        throw new PipelineStoppedException();
                    }

                    WriteRemoteRecords();
                    if (_timeout.HasValue && _watch.Elapsed >= _timeout.Value)
                    {
                        TimeOutRemote();
                        return;
                    }
                }

                if (!_ended)
                {
                    WriteRemoteRecords();
                    ThrowIfRemoteFailed();
                    WriteRemoteEndOutput();
                }
            }
            catch
            {
                StopRemote(s_endGrace);
                throw;
            }
            finally
            {
                if (_progressShown)
                {
                    WriteProgress(new ProgressRecord(_activityId, "Invoke-ThreadPool", "Done") { RecordType = ProgressRecordType.Completed });
                }
            }
        }

        private void ThrowIfRemoteFailed()
        {
            RemotePool pool = _remote!;
            ErrorRecord? begin = pool.BeginFailure;
            if (begin != null)
            {
                StopRemote(s_endGrace);
                WriteRemoteRecords();
                WriteRemoteEndOutput();
                string node = (begin as System.Management.Automation.Runspaces.RemotingErrorRecord)?.OriginInfo?.PSComputerName ?? "a session";
                var failure = new RuntimeException($"-Begin failed on {node}, so the call stopped: {begin.Exception?.Message}", begin.Exception);
                ThrowTerminatingError(new ErrorRecord(failure, ErrorIds.PoolBeginFailed, begin.CategoryInfo.Category, node));
            }

            if (pool.WorkerFailure != null)
            {
                StopRemote(TimeSpan.Zero);
                ThrowTerminatingError(new ErrorRecord(pool.WorkerFailure, ErrorIds.PoolWorkerFailed, ErrorCategory.ResourceUnavailable, null));
            }
        }

        private void TimeOutRemote()
        {
            ThreadPoolScheduler scheduler = _remote!.Scheduler;
            scheduler.Cancel();
            IReadOnlyList<PoolWorkItem> finished = scheduler.TakeFinishedResults();
            StopRemote(TimeSpan.Zero);
            WriteRemoteRecords();
            foreach (PoolWorkItem item in finished)
            {
                WriteRemoteResult(item);
            }

            WriteRemoteEndOutput();
            WriteCallTimeout(scheduler.FinishedCount, scheduler.TotalCount, scheduler.AddedCount);
        }

        /// <summary>Stops the remote pipelines; the sessions stay open. -End may run for <paramref name="endGrace"/>.</summary>
        private void StopRemote(TimeSpan endGrace)
        {
            if (_remote == null)
            {
                return;
            }

            _ended = true;
            if (!_remote.Stop(s_remoteStopWait, endGrace) && !_warnedStillRunning)
            {
                _warnedStillRunning = true;
                var names = new List<string>();
                foreach (RemoteNode node in _remote.StillRunning())
                {
                    names.Add(node.ComputerName);
                }

                WriteWarning($"The remote pipelines on {string.Join(", ", names)} did not answer the stop within {s_remoteStopWait.TotalSeconds} s; they end in the background.");
            }
        }

        private void WriteRemoteResults()
        {
            ThreadPoolScheduler scheduler = _remote!.Scheduler;
            _readyResults.Clear();
            while (scheduler.TryTakeResult(out PoolWorkItem? item))
            {
                _readyResults.Add(item!);
            }

            WriteRemoteRecords();
            foreach (PoolWorkItem item in _readyResults)
            {
                WriteRemoteResult(item);
            }

            _readyResults.Clear();
        }

        /// <summary>A finished remote item: its output (marked with its node), then its error, already naming the node.</summary>
        private void WriteRemoteResult(PoolWorkItem item)
        {
            WriteStreamed(item);
            if (item.State == PoolItemState.Failed && item.Error is ErrorRecord error)
            {
                NoteAttempts(error, item);
                WriteError(CommandNotFoundHint.Apply(error, this));
            }
            else
            {
                EmitResult(item, WriteObject, WriteError);
            }
        }

        private void WriteRemoteRecords()
        {
            while (_remote!.Records.TryDequeue(out object? record))
            {
                switch (record)
                {
                    case PSObject output:
                        WriteObject(output);
                        break;
                    case ErrorRecord error:
                        WriteError(error);
                        break;
                    default:
                        Records.Write(record);
                        break;
                }
            }
        }

        private void WriteRemoteEndOutput()
        {
            while (_remote!.EndOutput.TryDequeue(out PSObject? output))
            {
                WriteObject(output);
            }
        }
    }
}

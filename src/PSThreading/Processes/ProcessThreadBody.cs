using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Runspaces;
using PSThreading.Values;
using PSThreading.Workers;

namespace PSThreading.Processes
{
    /// <summary>
    /// The body of a Start-WorkerThread -Isolation Process worker: its thread here runs the block in a warm child
    /// process (taken by Start-WorkerThread, so the thread's ProcessId is known at once) and queues what the block
    /// writes for the join. A stop stops the child's pipeline; a child still busy 2 s later (a .NET call) is killed.
    /// </summary>
    internal sealed class ProcessThreadBody : IThreadBody, IThreadFailure
    {
        private readonly ManualResetEvent _stopAsked = new ManualResetEvent(false);
        private readonly WorkerScript _script;
        private readonly object[] _arguments;
        private readonly CallerContext _caller;
        private readonly WorkerImports? _imports;
        private readonly IRemotePlaces _places;
        private RemoteRunspace? _place;
        private int _failureReported;

        public ProcessThreadBody(WorkerScript script, object[]? arguments, CallerContext caller, WorkerImports? imports, IRemotePlaces places)
        {
            _script = script;
            _arguments = CrossProcessValues.ForChild(arguments ?? Array.Empty<object>());
            _caller = caller;
            _imports = imports;
            _places = places;
        }

        /// <summary>The place the block will run in; taken on the caller's thread so that a failure to start is the caller's error.</summary>
        public RemoteRunspace Place => _place ??= _places.Take(_caller.LanguageMode);

        public ErrorRecord? FailureRecord { get; private set; }

        public bool TryClaimFailureReport() => Interlocked.Exchange(ref _failureReported, 1) == 0;

        public void Run(WorkerThread thread)
        {
            RemoteRunspace place = Place;
            thread.Isolation = ThreadIsolation.Process;
            thread.ProcessId = place.ProcessId;
            try
            {
                if (!Prepare(place, thread))
                {
                    throw new OperationCanceledException();
                }

                PowerShell ps = ProcessItemScript.BlockInvocation(place, _script, _arguments, useLocalScope: true);
                var output = new PSDataCollection<PSObject>();
                QueueStreams(ps, output, thread);
                // The child's prompts go to the thread's join, as a runspace worker's do.
                (RemoteOutcome outcome, ErrorRecord? error) = RemoteInvocation.Run(ps, place, output, IsStopAsked, null, _stopAsked, new Hosts.ProcessPromptHost(thread));
                End(outcome, error, place);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                FailureRecord ??= (ex as RuntimeException)?.ErrorRecord;
                throw;
            }
        }

        private void End(RemoteOutcome outcome, ErrorRecord? error, RemoteRunspace place)
        {
            switch (outcome)
            {
                case RemoteOutcome.Completed:
                    return;
                case RemoteOutcome.Failed when !IsStopAsked():
                    FailureRecord = (ErrorRecord)RemoteRecords.Revive(error!);
                    throw new RuntimeException(error!.ToString(), error.Exception, error);
                case RemoteOutcome.Lost:
                    FailureRecord = place.LostError(null, poolItem: false);
                    place.Abandon();
                    throw new RuntimeException(FailureRecord.ToString(), FailureRecord.Exception, FailureRecord);
                default:
                    // Stopped, or killed when the stop did not end it.
                    throw new OperationCanceledException();
            }
        }

        /// <summary>The caller's preferences, -Function and -Module in the child; false when stopped meanwhile.</summary>
        private bool Prepare(RemoteRunspace place, WorkerThread thread)
        {
            PowerShell ps = ProcessItemScript.PrepareInvocation(place, _caller.Preferences, _imports);
            var errors = new List<ErrorRecord>();
            ps.Streams.Error.DataAdded += (sender, e) => errors.AddRange(((PSDataCollection<ErrorRecord>)sender!).ReadAll());
            (RemoteOutcome outcome, ErrorRecord? error) = RemoteInvocation.Run(ps, place, null, IsStopAsked, null, _stopAsked);
            End(outcome, error, place);
            if (errors.Count > 0)
            {
                // A module that does not import there, say: the thread fails before its block runs.
                FailureRecord = errors[0];
                throw new RuntimeException(FailureRecord.ToString(), FailureRecord.Exception, FailureRecord);
            }

            return !IsStopAsked();
        }

        public void RequestStop() => _stopAsked.Set();

        public void AfterEnd()
        {
            RemoteRunspace? place = Interlocked.Exchange(ref _place, null);
            if (place != null)
            {
                _places.Return(place, keep: !place.IsLost);
            }
        }

        private bool IsStopAsked() => _stopAsked.WaitOne(0);

        private static void QueueStreams(PowerShell ps, PSDataCollection<PSObject> output, WorkerThread thread)
        {
            output.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<PSObject>)sender!);
            PSDataStreams streams = ps.Streams;
            streams.Error.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<ErrorRecord>)sender!);
            streams.Warning.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<WarningRecord>)sender!);
            streams.Verbose.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<VerboseRecord>)sender!);
            streams.Debug.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<DebugRecord>)sender!);
            streams.Information.DataAdded += (sender, e) => MoveTo(thread, (PSDataCollection<InformationRecord>)sender!);
        }

        private static void MoveTo<T>(WorkerThread thread, PSDataCollection<T> collection)
        {
            foreach (T item in collection.ReadAll())
            {
                if (item != null)
                {
                    // Write-Host in the child arrives as a host information record: the join shows it (as -HoldHostOutput does).
                    thread.AddResult(RemoteRecords.Revive(item));
                }
            }
        }
    }
}

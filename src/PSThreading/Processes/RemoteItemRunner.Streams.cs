using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using PSThreading.Core.Pool;

namespace PSThreading.Processes
{
    /// <summary>
    /// What an invocation in the place writes, passed on as it arrives (on remoting's thread): queued for the
    /// cmdlet's pipeline thread, the only one that writes, exactly as a runspace worker's records are.
    /// </summary>
    internal sealed partial class RemoteItemRunner
    {
        /// <summary><paramref name="errors"/>: errors are kept there instead of written (the call's own set-up).</summary>
        private void ForwardStreams(PowerShell ps, List<ErrorRecord>? errors)
        {
            PSDataStreams streams = ps.Streams;
            if (errors != null)
            {
                streams.Error.DataAdded += (sender, e) => errors.AddRange(((PSDataCollection<ErrorRecord>)sender!).ReadAll());
            }
            else
            {
                streams.Error.DataAdded += (sender, e) => MoveRecords((PSDataCollection<ErrorRecord>)sender!);
            }

            streams.Warning.DataAdded += (sender, e) => MoveRecords((PSDataCollection<WarningRecord>)sender!);
            streams.Verbose.DataAdded += (sender, e) => MoveRecords((PSDataCollection<VerboseRecord>)sender!);
            streams.Debug.DataAdded += (sender, e) => MoveRecords((PSDataCollection<DebugRecord>)sender!);
            streams.Information.DataAdded += (sender, e) => MoveRecords((PSDataCollection<InformationRecord>)sender!);
            streams.Progress.DataAdded += (sender, e) => MoveRecords((PSDataCollection<ProgressRecord>)sender!);
        }

        private void MoveRecords<T>(PSDataCollection<T> collection)
        {
            foreach (T record in collection.ReadAll())
            {
                if (record == null)
                {
                    continue;
                }

                _call.Records.Enqueue(RemoteRecords.Revive(record));
                if (record is ErrorRecord && _scheduler.HaltsOnFailure)
                {
                    _scheduler.Halt();
                }
            }

            _scheduler.NotifyStreamed();
        }
    }
}

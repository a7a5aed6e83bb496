using System.Collections.ObjectModel;
using System.Management.Automation;
using PSThreading.Core.Pool;
using PSThreading.Engine;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>
    /// What the items write, passed on as they write it: the cmdlet's pipeline thread, the only one allowed to
    /// write, takes it from the call (records, and the output of an unordered call) or from the item (the output
    /// of an ordered call, held until the earlier items are written).
    /// </summary>
    internal sealed partial class PoolItemRunner
    {
        /// <summary>
        /// The output collection of one invocation: a new one each time, as the engine closes the one it was given
        /// when the invocation ends. Each object leaves it as it is added, on this worker's thread.
        /// </summary>
        private PSDataCollection<PSObject> NewOutput()
        {
            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (sender, e) => MoveOutput((PSDataCollection<PSObject>)sender);
            return output;
        }

        private void MoveOutput(PSDataCollection<PSObject> output)
        {
            Collection<PSObject> written = output.ReadAll();
            PoolWorkItem? item = _current;
            // An item that has ended (timed out, the call stopped) writes nothing more: its error is already out.
            if (item == null || item.State != PoolItemState.Running || _scheduler.IsCancelled)
            {
                return;
            }

            // Under retries the output waits for the attempt's success: a failed attempt's output is dropped.
            if (_scheduler.IsOrdered || _scheduler.HoldsOutputUntilDone)
            {
                foreach (PSObject value in written)
                {
                    item.AddStreamed(value);
                }

                if (!_scheduler.IsNextToWrite(item) || _scheduler.HoldsOutputUntilDone)
                {
                    // Held for order: the writer takes it when the earlier items are written, woken by their results.
                    return;
                }
            }
            else
            {
                foreach (PSObject value in written)
                {
                    _call.Records.Enqueue(value);
                }
            }

            _scheduler.NotifyStreamed();
        }

        private void ForwardStreams(PowerShell ps)
        {
            // Each handler runs on this worker's thread as the item writes; the call's queue keeps the records in
            // the order written, with the output of an unordered call between them.
            PSDataStreams streams = ps.Streams;
            streams.Error.DataAdded += (sender, e) => MoveRecords((PSDataCollection<ErrorRecord>)sender);
            streams.Warning.DataAdded += (sender, e) => MoveRecords((PSDataCollection<WarningRecord>)sender);
            streams.Verbose.DataAdded += (sender, e) => MoveRecords((PSDataCollection<VerboseRecord>)sender);
            streams.Debug.DataAdded += (sender, e) => MoveRecords((PSDataCollection<DebugRecord>)sender);
            streams.Information.DataAdded += (sender, e) => MoveRecords((PSDataCollection<InformationRecord>)sender);
            streams.Progress.DataAdded += (sender, e) => MoveRecords((PSDataCollection<ProgressRecord>)sender);
        }

        private void MoveRecords<T>(PSDataCollection<T> collection)
        {
            Collection<T> records = collection.ReadAll();
            foreach (T record in records)
            {
                if (record != null)
                {
                    _call.Records.Enqueue(record);
                    if (record is ErrorRecord && _scheduler.HaltsOnFailure)
                    {
                        // Under -ErrorAction Stop this error ends the call as it is written: nothing starts after it.
                        _scheduler.Halt();
                    }
                }
            }

            _scheduler.NotifyStreamed();
        }
    }
}

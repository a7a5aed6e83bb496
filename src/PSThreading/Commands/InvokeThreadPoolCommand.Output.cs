using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSThreading.Core.Pool;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Hosts;
using PSThreading.Pool;
using PSThreading.Streams;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Writing what the items produced, on the pipeline thread: results in their order, errors naming their item, and
    /// the records the items wrote.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        /// <summary>
        /// Writes what is ready: the records and streamed output, then the results that were ready before them,
        /// then (ordered) what the next item in order streamed so far. Taking the results first keeps an item's
        /// output, queued before its result, ahead of its error.
        /// </summary>
        private void WriteResults(ThreadPoolScheduler scheduler)
        {
            _readyResults.Clear();
            while (scheduler.TryTakeResult(out PoolWorkItem? item))
            {
                _readyResults.Add(item!);
            }

            bool streamed = scheduler.TakeStreamPending();
            // Only what was queued by now goes ahead of these results; what items write from here on follows them.
            ConcurrentQueue<object?> records = _call!.Records;
            int written = records.IsEmpty ? 0 : WriteRecords(records.Count);
            foreach (PoolWorkItem item in _readyResults)
            {
                written += WriteResult(item);
            }

            written += WriteRecords();

            if (scheduler.IsOrdered && _call!.StreamsOutput && (streamed || _readyResults.Count > 0))
            {
                PoolWorkItem? head = scheduler.RunningHead();
                if (head != null)
                {
                    written += WriteStreamed(head);
                }
            }

            _readyResults.Clear();
            _lastBatch = written;
        }

        /// <summary>What an ordered call's item wrote while it ran, held until its turn; returns the count.</summary>
        private int WriteStreamed(PoolWorkItem item)
        {
            int written = 0;
            while (item.TryTakeStreamed(out object? value))
            {
                WriteObject(value);
                written++;
            }

            return written;
        }

        /// <summary>
        /// Writes a finished item: what it streamed and has not been written, then its result. Returns what counts
        /// toward the batch that decides whether the writer polls: the result, and each streamed object.
        /// </summary>
        private int WriteResult(PoolWorkItem item)
        {
            int written = WriteStreamed(item) + 1;
            EmitResult(item, WriteObject, WriteError);
            return written;
        }

        /// <summary>What an ended item gives: its output, or its error (its own, or its timeout's).</summary>
        private void EmitResult(PoolWorkItem item, Action<object> emitOutput, Action<ErrorRecord> emitError)
        {
            switch (item.State)
            {
                case PoolItemState.Completed:
                    if (item.Output is object[] output)
                    {
                        foreach (object value in output)
                        {
                            emitOutput(value);
                        }
                    }

                    break;
                case PoolItemState.Failed:
                    ErrorRecord failure = CommandNotFoundHint.Apply(ItemError(item), this);
                    NoteAttempts(failure, item);
                    emitError(failure);
                    break;
                case PoolItemState.TimedOut:
                    string message = string.Format(
                        CultureInfo.InvariantCulture,
                        _itemTimeout == TimeSpan.Zero
                            ? "Item '{0}' (#{1}) was not run: -ItemTimeout 0 gives an item no time at all. Give the seconds an item may take, or -1 for no limit."
                            : "Item '{0}' (#{1}) ran longer than its timeout of {2} seconds and was stopped.",
                        DescribeItem(item.Input),
                        item.Index + 1, // counted from 1, as a person counts items: the fifth item is #5
                        _itemTimeout?.TotalSeconds);
                    emitError(new ErrorRecord(new TimeoutException(message), ErrorIds.ItemTimeout, ErrorCategory.OperationTimeout, item.Input));
                    break;
            }
        }

        /// <summary>An item that threw: the item's own error, with the item as its target.</summary>
        private ErrorRecord ItemError(PoolWorkItem item)
        {
            if (item.Error is ErrorRecord original)
            {
                // Its id exact and its position the line that failed, as a worker's error through Wait-WorkerThread.
                return WorkerErrorRecord.Copy(original, ThrownObject.ExceptionOf(original), item.Input, BlockPosition.Find(original, _script!));
            }

            var exception = item.Error as Exception ?? new InvalidOperationException($"Item #{item.Index + 1} failed.");
            return new ErrorRecord(exception, ErrorIds.PoolItemFailed, ErrorCategory.NotSpecified, item.Input);
        }

        /// <summary>
        /// Writes what the items queued, in the order written, up to <paramref name="most"/>: records, joiner work
        /// run here, and an unordered call's output. Returns how many.
        /// </summary>
        private int WriteRecords(int most = int.MaxValue)
        {
            var records = _call!.Records;
            int written = 0;
            while (written < most && records.TryDequeue(out object? record))
            {
                written++;
                switch (record)
                {
                    case null:
                        WriteObject(null);
                        break;
                    case PSObject output:
                        WriteObject(output);
                        break;
                    case IJoinerWork work:
                        // A prompt or host text a worker handed to its joiner: shown here, in its place in the order.
                        work.Run(this);
                        break;
                    default:
                        WriteRecord(record);
                        break;
                }
            }

            return written;
        }

        /// <summary>A record an item (or a worker's -Begin) wrote, to the stream it was written to.</summary>
        private void WriteRecord(object record)
        {
            switch (record)
            {
                case ErrorRecord error:
                    Records.Write(CommandNotFoundHint.Apply(AtBlockPosition(error), this));
                    break;
                case SetupOutput setup:
                    foreach (object value in setup.Values)
                    {
                        WriteObject(value);
                    }

                    break;
                default:
                    Records.Write(record);
                    break;
            }
        }

        /// <summary>An item's Write-Error record pointed at its line in the caller's block, where that can be told.</summary>
        private ErrorRecord AtBlockPosition(ErrorRecord error)
        {
            IScriptExtent? position = BlockPosition.Find(error, _script!);
            return position == null ? error : WorkerErrorRecord.Copy(error, error.Exception, error.TargetObject, position);
        }

        private OriginalRecordWriter Records => _records ??= new OriginalRecordWriter(this);

        /// <summary>What the workers' -End blocks wrote: after everything the items wrote.</summary>
        private void WriteEndOutput()
        {
            while (_call!.EndOutput.TryDequeue(out SetupOutput? output))
            {
                foreach (object value in output!.Values)
                {
                    WriteObject(value);
                }
            }
        }

        private static string DescribeItem(object? input) => ItemText.Describe(input);
    }
}

using System;
using System.Globalization;
using System.Management.Automation;
using PSThreading.Core.Pool;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Runtime;

namespace PSThreading.Commands
{
    /// <summary>
    /// Writing what the items produced, on the pipeline thread: results in their order, errors naming their item, and
    /// the records the items wrote.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        private void WriteResults(ThreadPoolScheduler scheduler)
        {
            int written = 0;
            while (scheduler.TryTakeResult(out PoolWorkItem? item))
            {
                WriteResult(item!);
                written++;
            }

            _lastBatch = written;
        }

        private void WriteResult(PoolWorkItem item) => EmitResult(item, WriteObject, WriteError);

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
                    emitError(CommandNotFoundHint.Apply(ItemError(item), this));
                    break;
                case PoolItemState.TimedOut:
                    string message = string.Format(
                        CultureInfo.InvariantCulture,
                        _itemTimeout == TimeSpan.Zero
                            ? "Item '{0}' (#{1}) was not run: -ItemTimeout 0 gives an item no time at all. Give the seconds an item may take, or -1 for no limit."
                            : "Item '{0}' (#{1}) ran longer than its timeout of {2} seconds and was stopped.",
                        DescribeItem(item.Input),
                        item.Index,
                        _itemTimeout?.TotalSeconds);
                    emitError(new ErrorRecord(new TimeoutException(message), ErrorIds.ItemTimeout, ErrorCategory.OperationTimeout, item.Input));
                    break;
            }
        }

        /// <summary>An item that threw: the item's own error, with the item as its target.</summary>
        private static ErrorRecord ItemError(PoolWorkItem item)
        {
            if (item.Error is ErrorRecord original)
            {
                return new ErrorRecord(ThrownObject.ExceptionOf(original), original.FullyQualifiedErrorId, original.CategoryInfo.Category, item.Input)
                {
                    ErrorDetails = original.ErrorDetails,
                };
            }

            var exception = item.Error as Exception ?? new InvalidOperationException($"Item #{item.Index} failed.");
            return new ErrorRecord(exception, "PoolItemFailed", ErrorCategory.NotSpecified, item.Input);
        }

        private void WriteRecords()
        {
            var records = _call!.Records;
            while (records.TryDequeue(out object? record))
            {
                WriteRecord(record!);
            }
        }

        /// <summary>A record an item (or a worker's -Begin) wrote, to the stream it was written to.</summary>
        private void WriteRecord(object record)
        {
            switch (record)
            {
                case ErrorRecord error:
                    WriteError(CommandNotFoundHint.Apply(error, this));
                    break;
                case SetupOutput setup:
                    foreach (object value in setup.Values)
                    {
                        WriteObject(value);
                    }

                    break;
                default:
                    StreamRecords.Write(this, record);
                    break;
            }
        }

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

        private static string DescribeItem(object? input)
        {
            string text = input == null ? "null" : LanguagePrimitives.ConvertTo<string>(input) ?? string.Empty;
            return text.Length > 80 ? text.Substring(0, 77) + "..." : text;
        }
    }
}

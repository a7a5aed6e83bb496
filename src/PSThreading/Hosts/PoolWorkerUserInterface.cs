using System;
using System.Management.Automation;
using System.Management.Automation.Host;
using PSThreading.Pool;
using PSThreading.Streams;
using PSThreading.Values;

namespace PSThreading.Hosts
{
    /// <summary>
    /// The UI of pool workers: it shows nothing (every stream of an item, Write-Host and Out-Host included, comes
    /// back through the call's streams, written once in the caller) and hands prompts to the call that runs the item.
    /// </summary>
    internal sealed class PoolWorkerUserInterface : JoinerPromptingUserInterface
    {
        public static readonly PoolWorkerUserInterface Instance = new PoolWorkerUserInterface();

        private PoolWorkerUserInterface()
        {
        }

        public override PSHostRawUserInterface? RawUI => null;

        public override void Write(string value) => QueueRawText(value, false);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
            => QueueRawText(value, false, foregroundColor, backgroundColor);

        public override void WriteLine() => QueueRawText(string.Empty, true);

        public override void WriteLine(string value) => QueueRawText(value, true);

        public override void WriteLine(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
            => QueueRawText(value, true, foregroundColor, backgroundColor);

        public override void WriteInformation(InformationRecord record) => RecordDisplay.Note(record);

        public override void WriteErrorLine(string value)
        {
        }

        public override void WriteDebugLine(string message)
        {
        }

        public override void WriteVerboseLine(string message)
        {
        }

        public override void WriteWarningLine(string message)
        {
        }

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        /// <summary>
        /// Host text that no record carries (Out-Host, Out-Default) goes to the call as Write-Host's record would;
        /// a record's own text comes through the information stream.
        /// </summary>
        private static void QueueRawText(string value, bool newLine, ConsoleColor? foreground = null, ConsoleColor? background = null)
        {
            if (!RecordDisplay.TakeRecordOf(value, out _))
            {
                PoolItemRunner.TryQueueRecord(RecordDisplay.AsRecord(value, newLine, foreground, background));
            }
        }

        protected override object? Ask(Func<PSHostUserInterface, object?> ask)
        {
            if (PoolItemRunner.TryAsk(ask, out object? answer))
            {
                return answer;
            }

            throw new HostException("A pool worker can prompt only while an Invoke-ThreadPool call runs its item.");
        }
    }
}

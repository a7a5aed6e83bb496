using System;
using System.Management.Automation;
using System.Management.Automation.Host;
using PSThreading.Runtime;

namespace PSThreading.Pool
{
    /// <summary>
    /// The UI of pool workers: it shows nothing (every stream of an item, Write-Host included, comes back through
    /// the call's streams, written once in the caller) and hands prompts to the call that runs the item.
    /// </summary>
    internal sealed class PoolWorkerUserInterface : JoinerPromptingUserInterface
    {
        public static readonly PoolWorkerUserInterface Instance = new PoolWorkerUserInterface();

        private PoolWorkerUserInterface()
        {
        }

        public override PSHostRawUserInterface? RawUI => null;

        public override void Write(string value)
        {
        }

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
        {
        }

        public override void WriteLine(string value)
        {
        }

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

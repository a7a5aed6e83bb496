using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace PSThreading.Pool
{
    /// <summary>
    /// The UI of pool workers: it shows nothing (every stream of an item, Write-Host included, comes back through
    /// the call's streams, written once in the caller) and hands prompts to the call that runs the item.
    /// </summary>
    internal sealed class PoolWorkerUserInterface : PSHostUserInterface
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

        public override string ReadLine() => (string)Ask(ui => ui.ReadLine())!;

        public override SecureString ReadLineAsSecureString() => (SecureString)Ask(ui => ui.ReadLineAsSecureString())!;

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            => (Dictionary<string, PSObject>)Ask(ui => ui.Prompt(caption, message, descriptions))!;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            => (int)Ask(ui => ui.PromptForChoice(caption, message, choices, defaultChoice))!;

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => (PSCredential)Ask(ui => ui.PromptForCredential(caption, message, userName, targetName))!;

        public override PSCredential PromptForCredential(
            string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => (PSCredential)Ask(ui => ui.PromptForCredential(caption, message, userName, targetName, allowedCredentialTypes, options))!;

        private static object? Ask(Func<PSHostUserInterface, object?> ask)
        {
            if (PoolItemRunner.TryAsk(ask, out object? answer))
            {
                return answer;
            }

            throw new HostException("A pool worker can prompt only while an Invoke-ThreadPool call runs its item.");
        }
    }
}

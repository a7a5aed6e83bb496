using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace PSThreading.Runtime
{
    /// <summary>
    /// The UI of a Start-WorkerThread worker: the caller's, minus what comes back through the join. Warning,
    /// verbose, debug and information records are queued on the thread and written by Wait-WorkerThread, so
    /// shown here too they would print twice, past every redirection. Host text (Write-Host) stays live,
    /// unless the thread holds it for the join.
    /// </summary>
    internal sealed class WorkerHostUserInterface : PSHostUserInterface
    {
        private readonly PSHostUserInterface _caller;
        private readonly WorkerHost _host;

        public WorkerHostUserInterface(PSHostUserInterface caller, WorkerHost host)
        {
            _caller = caller;
            _host = host;
        }

        public override PSHostRawUserInterface? RawUI => _caller.RawUI;

        private bool ShowsHostText => !_host.HoldsHostOutput;

        public override void Write(string value)
        {
            if (ShowsHostText)
            {
                _caller.Write(value);
            }
        }

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
        {
            if (ShowsHostText)
            {
                _caller.Write(foregroundColor, backgroundColor, value);
            }
        }

        public override void WriteLine(string value)
        {
            if (ShowsHostText)
            {
                _caller.WriteLine(value);
            }
        }

        public override void WriteErrorLine(string value)
        {
            if (ShowsHostText)
            {
                _caller.WriteErrorLine(value);
            }
        }

        // Records of these streams are queued on the thread: the join writes them in the caller.
        public override void WriteDebugLine(string message)
        {
        }

        public override void WriteVerboseLine(string message)
        {
        }

        public override void WriteWarningLine(string message)
        {
        }

        public override void WriteInformation(InformationRecord record)
        {
        }

        public override void WriteProgress(long sourceId, ProgressRecord record) => _caller.WriteProgress(sourceId, record);

        public override string ReadLine() => _caller.ReadLine();

        public override SecureString ReadLineAsSecureString() => _caller.ReadLineAsSecureString();

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            _caller.Prompt(caption, message, descriptions);

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            _caller.PromptForChoice(caption, message, choices, defaultChoice);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            _caller.PromptForCredential(caption, message, userName, targetName);

        public override PSCredential PromptForCredential(
            string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            _caller.PromptForCredential(caption, message, userName, targetName, allowedCredentialTypes, options);
    }
}

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;
using System.Threading;
using PSThreading.Engine;
using PSThreading.Values;

namespace PSThreading.Hosts
{
    /// <summary>
    /// The console's UI for a worker's prompt shown by a join, whose line reads end when the prompt is withdrawn
    /// (another thread stopped the worker) or the join is stopped. The console host's own line reader blocks on
    /// the next key and nothing can end it, so the join waited at a prompt nobody needed any more. Line reads
    /// (Read-Host, with or without -Prompt or -AsSecureString) poll for keys here instead; choices and
    /// credentials still go to the console's own UI.
    /// </summary>
    internal sealed class WithdrawablePromptUserInterface : PSHostUserInterface
    {
        private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(30);
        private readonly PSHostUserInterface _console;
        private readonly Func<bool> _isWithdrawn;

        private WithdrawablePromptUserInterface(PSHostUserInterface console, Func<bool> isWithdrawn)
        {
            _console = console;
            _isWithdrawn = isWithdrawn;
        }

        /// <summary>
        /// The UI to show a prompt with: this one where keys can be polled (pwsh's own console host, its input a
        /// terminal), else <paramref name="ui"/>: another host (an editor's, a custom one) reads keys its own way.
        /// </summary>
        public static PSHostUserInterface For(PSHost host, Func<bool> isWithdrawn)
        {
            PSHostUserInterface ui = host.UI;
            try
            {
                bool isConsole = string.Equals(host.Name, "ConsoleHost", StringComparison.Ordinal);
                return !isConsole || Console.IsInputRedirected || ui.RawUI == null ? ui : new WithdrawablePromptUserInterface(ui, isWithdrawn);
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is NotSupportedException || ex is System.IO.IOException)
            {
                return ui;
            }
        }

        public override PSHostRawUserInterface RawUI => _console.RawUI;

        public override bool SupportsVirtualTerminal => _console.SupportsVirtualTerminal;

        public override string ReadLine() => ReadKeys(masked: false);

        public override SecureString ReadLineAsSecureString()
        {
            var secure = new SecureString();
            foreach (char c in ReadKeys(masked: true))
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            foreach (FieldDescription field in descriptions)
            {
                if (!IsLine(field))
                {
                    // A list or a typed value: the console's own prompt knows how to ask it.
                    return _console.Prompt(caption, message, descriptions);
                }
            }

            if (!string.IsNullOrEmpty(caption))
            {
                _console.WriteLine(caption);
            }

            if (!string.IsNullOrEmpty(message))
            {
                _console.WriteLine(message);
            }

            var answers = new Dictionary<string, PSObject>();
            foreach (FieldDescription field in descriptions)
            {
                _console.Write(field.Name + ": ");
                answers[field.Name] = IsSecure(field) ? PSObject.AsPSObject(ReadLineAsSecureString()) : PSObject.AsPSObject(ReadLine());
            }

            return answers;
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            => _console.PromptForChoice(caption, message, choices, defaultChoice);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => _console.PromptForCredential(caption, message, userName, targetName);

        public override PSCredential PromptForCredential(
            string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => _console.PromptForCredential(caption, message, userName, targetName, allowedCredentialTypes, options);

        public override void Write(string value) => _console.Write(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => _console.Write(foregroundColor, backgroundColor, value);

        public override void WriteLine(string value) => _console.WriteLine(value);

        public override void WriteErrorLine(string value) => _console.WriteErrorLine(value);

        public override void WriteDebugLine(string message) => _console.WriteDebugLine(message);

        public override void WriteProgress(long sourceId, ProgressRecord record) => _console.WriteProgress(sourceId, record);

        public override void WriteVerboseLine(string message) => _console.WriteVerboseLine(message);

        public override void WriteWarningLine(string message) => _console.WriteWarningLine(message);

        private static bool IsSecure(FieldDescription field) =>
            string.Equals(field.ParameterTypeName, typeof(SecureString).Name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(field.ParameterTypeFullName, typeof(SecureString).FullName, StringComparison.OrdinalIgnoreCase);

        private static bool IsLine(FieldDescription field) =>
            IsSecure(field)
            || string.IsNullOrEmpty(field.ParameterTypeFullName)
            || string.Equals(field.ParameterTypeFullName, typeof(string).FullName, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// A line typed at the console, echoed (or masked) as the console host does; Backspace edits it. Throws
        /// <see cref="PromptWithdrawnException"/> once the prompt is withdrawn while the line is being typed.
        /// </summary>
        private string ReadKeys(bool masked)
        {
            var line = new StringBuilder();
            while (true)
            {
                while (!Console.KeyAvailable)
                {
                    if (_isWithdrawn())
                    {
                        _console.WriteLine();
                        throw new PromptWithdrawnException();
                    }

                    Thread.Sleep(s_poll);
                }

                ConsoleKeyInfo key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    _console.WriteLine();
                    return line.ToString();
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    if (line.Length > 0)
                    {
                        line.Length--;
                        _console.Write("\b \b");
                    }

                    continue;
                }

                if (!char.IsControl(key.KeyChar))
                {
                    line.Append(key.KeyChar);
                    _console.Write(masked ? "*" : key.KeyChar.ToString());
                }
            }
        }
    }

    /// <summary>The prompt being shown was withdrawn: its thread no longer waits for the answer.</summary>
    internal sealed class PromptWithdrawnException : Exception
    {
        public PromptWithdrawnException()
            : base("The prompt was withdrawn: its thread was stopped.")
        {
        }
    }
}

using System;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using PSThreading.Core.Threads;

namespace PSThreading.Hosts
{
    /// <summary>
    /// The host a worker process's invocation is given (PSInvocationSettings.Host): the child's prompts come here, on a
    /// remoting thread, and are offered to the thread's join as a runspace worker's are. Nothing is written through
    /// it: the child's Write-Host and other output already come back as records, so writes here would show twice.
    /// </summary>
    internal sealed class ProcessPromptHost : PSHost
    {
        private readonly PromptUserInterface _ui;

        public ProcessPromptHost(WorkerThread thread) => _ui = new PromptUserInterface(thread);

        public override string Name => "PSThreadingProcessPrompts";

        public override Version Version => typeof(ProcessPromptHost).Assembly.GetName().Version ?? new Version(1, 0);

        public override Guid InstanceId { get; } = Guid.NewGuid();

        public override PSHostUserInterface UI => _ui;

        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;

        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

        public override void EnterNestedPrompt() => throw new NotSupportedException("A worker process cannot enter a nested prompt.");

        public override void ExitNestedPrompt() => throw new NotSupportedException("A worker process cannot enter a nested prompt.");

        public override void NotifyBeginApplication()
        {
        }

        public override void NotifyEndApplication()
        {
        }

        public override void SetShouldExit(int exitCode)
        {
        }

        private sealed class PromptUserInterface : JoinerPromptingUserInterface
        {
            private readonly WorkerThread _thread;

            public PromptUserInterface(WorkerThread thread) => _thread = thread;

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

            public override void WriteProgress(long sourceId, ProgressRecord record)
            {
            }

            public override void WriteVerboseLine(string message)
            {
            }

            public override void WriteWarningLine(string message)
            {
            }

            protected override object? Ask(Func<PSHostUserInterface, object?> ask) => JoinerPrompt.Offer(ask, _thread, null);
        }
    }
}

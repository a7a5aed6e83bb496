using System;
using System.Management.Automation;
using System.Management.Automation.Host;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Streams;
using PSThreading.Terminal;
using PSThreading.Values;

namespace PSThreading.Hosts
{
    /// <summary>
    /// The host UI of a worker runspace. Host text (Write-Host, Out-Host) stays live, like Python's print(), but
    /// goes through <see cref="LiveHostOutput"/> so it lands above an idle PSReadLine prompt and in the caller's
    /// transcript; with -HoldHostOutput it writes nothing (the records come back at the join). Prompts never read
    /// the console from the worker's thread: the worker is Blocked and its joiner asks (<see cref="JoinerPrompt"/>).
    /// A warm runspace serves one worker after another: <see cref="Serve"/> says which one runs now.
    /// </summary>
    internal sealed class WorkerHostUserInterface : JoinerPromptingUserInterface
    {
        private readonly PSHostUserInterface _caller;
        private volatile Served? _served;

        public WorkerHostUserInterface(PSHostUserInterface caller)
        {
            _caller = caller;
        }

        public override PSHostRawUserInterface? RawUI => _caller.RawUI;

        public override bool SupportsVirtualTerminal => _caller.SupportsVirtualTerminal;

        /// <summary>From now on the runspace runs <paramref name="thread"/>'s script; a null output holds its host text.</summary>
        internal void Serve(WorkerThread thread, LiveHostOutput? output, LiveHostOutput? notices, bool joinShowsInformation) => _served = new Served(thread, output, notices, joinShowsInformation);

        internal void EndServe() => _served = null;

        // Host text (Write-Host, Out-Host) is transcribed as the caller's own would be, once per call. The text as
        // shown tells how many rows it takes above the prompt.
        public override void Write(string value) => WriteText(ui => ui.Write(value), value, value, () => RecordDisplay.AsRecord(value, false));

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
            => WriteText(ui => ui.Write(foregroundColor, backgroundColor, value), value, value, () => RecordDisplay.AsRecord(value, false, foregroundColor, backgroundColor));

        public override void WriteLine() => WriteText(ui => ui.WriteLine(), "\n", string.Empty, () => RecordDisplay.AsRecord(string.Empty, true));

        public override void WriteLine(string value) => WriteText(ui => ui.WriteLine(value), value + "\n", value, () => RecordDisplay.AsRecord(value, true));

        public override void WriteLine(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
            => WriteText(ui => ui.WriteLine(foregroundColor, backgroundColor, value), value + "\n", value, () => RecordDisplay.AsRecord(value, true, foregroundColor, backgroundColor));

        public override void WriteErrorLine(string value) => WriteText(ui => ui.WriteErrorLine(value), value + "\n");

        // Records of these streams are queued on the thread and written by the join in the caller: shown here
        // too, they would print twice, past every redirection.
        public override void WriteDebugLine(string message)
        {
        }

        public override void WriteVerboseLine(string message)
        {
        }

        public override void WriteWarningLine(string message)
        {
        }

        // Under InformationPreference Continue the engine hands a record here, then shows it with WriteLine. Where
        // the caller's own preference shows information, that line is left out: the join writes the record and
        // shows it (once, as Receive-Job does, and redirectable). Otherwise it shows live, as the worker's own
        // -InformationAction Continue asked. Write-Host's records (HostInformationMessage) are host text: live.
        public override void WriteInformation(InformationRecord record) => RecordDisplay.Note(record);

        // Progress is drawn by the console in place, not as lines: it passes through as before.
        public override void WriteProgress(long sourceId, ProgressRecord record) => _caller.WriteProgress(sourceId, record);

        private void WriteText(Action<PSHostUserInterface> write, string shown, string? transcript = null, Func<InformationRecord>? asRecord = null)
        {
            Served? served = _served;
            if (served == null)
            {
                // Nothing of ours runs here (the runspace is being prepared or cleaned): as the caller's host would.
                write(_caller);
                return;
            }

            bool ofRecord = RecordDisplay.TakeRecordOf(transcript ?? shown, out InformationRecord? record);
            if (ofRecord && !(record!.MessageData is HostInformationMessage) && served.JoinShowsInformation)
            {
                // Write-Information's text, which the caller's join shows by its own preference: once, not here too.
                return;
            }

            if (served.Output != null)
            {
                served.Output.Write(new HostText(write, shown, transcript));
            }
            else if (!ofRecord && asRecord != null)
            {
                // Held host text with no record of its own (Out-Host, Out-Default): queued for the join as Write-Host's
                // records are, so -HoldHostOutput loses none of it.
                served.Thread.AddResult(asRecord());
            }
        }

        protected override object? Ask(Func<PSHostUserInterface, object?> ask)
        {
            Served? served = _served;
            if (served == null)
            {
                return ask(_caller);
            }

            WorkerThread thread = served.Thread;
            return JoinerPrompt.Offer(ask, thread, () => PromptNotice.WriteIfUnwaited(thread, served.Notices));
        }

        private sealed class Served
        {
            public Served(WorkerThread thread, LiveHostOutput? output, LiveHostOutput? notices, bool joinShowsInformation)
            {
                Thread = thread;
                Output = output;
                Notices = notices;
                JoinShowsInformation = joinShowsInformation;
            }

            public bool JoinShowsInformation { get; }

            public WorkerThread Thread { get; }

            public LiveHostOutput? Output { get; }

            /// <summary>Where the module's own notices about the thread go, even when its host text is held.</summary>
            public LiveHostOutput? Notices { get; }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using PSThreading.Engine;
using PSThreading.Hosts;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Terminal
{
    /// <summary>
    /// Where the live host text of a caller's workers goes, one per caller runspace. While PSReadLine waits at
    /// the caller's prompt, text is queued and written on the caller's own thread when PSReadLine is idle between
    /// keys, above the prompt, which is then drawn again with the half-typed line (written from the worker's
    /// thread it landed after the prompt and the user's typing overwrote it). Otherwise it is written at once
    /// from the worker's thread, with the caller's runspace as the thread's default runspace for the call: that
    /// is where the host looks for the transcripts to write to.
    /// </summary>
    internal sealed class LiveHostOutput
    {
        // How often queued text is looked at from outside the prompt, in case the prompt will not take it.
        private const int s_checkMilliseconds = 500;
        private static readonly ConditionalWeakTable<Runspace, LiveHostOutput> s_byRunspace = new ConditionalWeakTable<Runspace, LiveHostOutput>();

        private readonly object _sync = new object();
        private readonly Queue<HostText> _queued = new Queue<HostText>();
        private readonly Runspace? _runspace;
        private readonly PSHostUserInterface _ui;
        private readonly Timer _check;

        private LiveHostOutput(Runspace? runspace, PSHostUserInterface ui)
        {
            _runspace = runspace;
            _ui = ui;
            _check = new Timer(CheckQueued);
        }

        /// <summary>The output of <paramref name="cmdlet"/>'s runspace, made on its pipeline thread the first time.</summary>
        public static LiveHostOutput For(PSCmdlet cmdlet)
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace == null)
            {
                return new LiveHostOutput(null, cmdlet.Host.UI);
            }

            lock (s_byRunspace)
            {
                if (!s_byRunspace.TryGetValue(runspace, out LiveHostOutput? output))
                {
                    output = new LiveHostOutput(runspace, cmdlet.Host.UI);
                    s_byRunspace.Add(runspace, output);
                }

                // Here, on the prompt's thread, before PSReadLine reads the next line: the hook is in place for it.
                PSReadLinePrompt.EnsureIdleHook(runspace);

                return output;
            }
        }

        /// <summary>Writes host text of a worker: queued for the prompt, or at once. Called on the worker's thread.</summary>
        public void Write(HostText text)
        {
            bool queued = false;
            lock (_sync)
            {
                // Never written from here while PSReadLine reads: that lands inside the prompt line. Text waits
                // for the next idle moment (300 ms without a key), however long the user types.
                if (PSReadLinePrompt.CanWriteAbove(_runspace))
                {
                    _queued.Enqueue(text);
                    queued = true;
                }
                else
                {
                    // Text still queued goes first: the lines keep the order they were written in.
                    WriteQueuedForCaller();
                    WriteForCaller(text);
                }
            }

            if (queued)
            {
                PSReadLinePrompt.CallWhenIdle(WriteQueuedAtPrompt);
                _check.Change(s_checkMilliseconds, Timeout.Infinite);
            }
        }

        /// <summary>
        /// A while after text was queued: if the prompt stopped reading before its idle hook took the text (Enter
        /// came first, the hook was replaced), it is written now rather than after the next command.
        /// </summary>
        private void CheckQueued(object? state)
        {
            lock (_sync)
            {
                if (_queued.Count == 0)
                {
                    return;
                }

                if (PSReadLinePrompt.CanWriteAbove(_runspace))
                {
                    _check.Change(s_checkMilliseconds, Timeout.Infinite);
                    return;
                }

                WriteQueuedForCaller();
            }
        }

        private void WriteQueuedForCaller()
        {
            while (_queued.Count > 0)
            {
                WriteForCaller(_queued.Dequeue());
            }
        }

        /// <summary>On the caller's thread, while PSReadLine waits for a key: the queued text above the prompt, then the prompt again.</summary>
        private void WriteQueuedAtPrompt()
        {
            lock (_sync)
            {
                if (_queued.Count == 0)
                {
                    return;
                }

                if (!PSReadLinePrompt.IsReadingFor(_runspace))
                {
                    // PSReadLine has just returned the line: the text goes where the cursor is.
                    while (_queued.Count > 0)
                    {
                        WriteHere(_queued.Dequeue());
                    }

                    return;
                }

                try
                {
                    WriteAbovePrompt();
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is ArgumentOutOfRangeException || ex is System.Reflection.TargetInvocationException)
                {
                    // The console moved under us (resized, redirected): what is left is written plainly.
                    while (_queued.Count > 0)
                    {
                        WriteHere(_queued.Dequeue());
                    }
                }
            }
        }

        /// <summary>
        /// Over the prompt: the queued text, then the prompt and the half-typed line again below it. The cursor's
        /// position is never read here: on Unix that asks the terminal and waits for an answer on the input, which
        /// PSReadLine's key reader holds until the next key. The rows the prompt and the text take are counted
        /// instead, and the cursor is put where it is known to be before PSReadLine draws (it reads the position
        /// .NET keeps, which any escape sequence written makes unknown).
        /// </summary>
        private void WriteAbovePrompt()
        {
            int width = Math.Max(1, Console.WindowWidth);
            PromptText prompt = PromptText.Evaluate();
            int top = PSReadLinePrompt.PromptTop(prompt.Shown, width);
            MoveTo(top);
            ClearBelow(top, width);
            var rows = new ConsoleRows(width);
            while (_queued.Count > 0)
            {
                HostText text = _queued.Dequeue();
                WriteHere(text);
                rows.Add(text.Shown);
            }

            if (!rows.AtLineStart)
            {
                // Text without a line end (Write-Host -NoNewline): the prompt goes on the next line.
                _ui.WriteLine();
                rows.Add("\n");
            }

            // Past the last row the terminal scrolled: the prompt is then on the last row.
            int row = Math.Min(top + rows.Count, Math.Max(0, Console.WindowHeight - 1));
            MoveTo(row);
            PSReadLinePrompt.DrawAt(row, prompt);
        }

        /// <summary>
        /// Puts the cursor at the start of <paramref name="row"/> with a real move: .NET skips a move to where it
        /// believes the cursor is, and may believe wrongly after a full row (the terminal wraps only on the next
        /// character); moving twice always writes the move, and .NET knows the place again.
        /// </summary>
        private static void MoveTo(int row)
        {
            Console.SetCursorPosition(1, row);
            Console.SetCursorPosition(0, row);
        }

        /// <summary>Blanks the prompt and the half-typed line, from row <paramref name="top"/> down.</summary>
        private void ClearBelow(int top, int width)
        {
            if (_ui.SupportsVirtualTerminal)
            {
                // Straight to the console, not through the host: the escape sequence is no text for the transcript.
                Console.Out.Write("\u001b[J");
                Console.Out.Flush();
                return;
            }

            // Without VT (old Windows consoles, where reading the cursor is safe): blank to the cursor's row.
            int last = Console.CursorTop;
            string blank = new string(' ', Math.Max(1, width - 1));
            for (int row = top; row <= last; row++)
            {
                Console.SetCursorPosition(0, row);
                Console.Out.Write(blank);
            }

            Console.SetCursorPosition(0, top);
        }

        /// <summary>Writes on the thread of the caller's runspace, the thread's default.</summary>
        private void WriteHere(HostText text)
        {
            text.Write(_ui);
            if (text.Transcript != null)
            {
                HostTranscript.Add(_ui, text.Transcript);
            }
        }

        /// <summary>Writes from the worker's thread with the caller's runspace as its default: the transcripts are the caller's.</summary>
        private void WriteForCaller(HostText text)
        {
            Runspace? previous = Runspace.DefaultRunspace;
            bool swap = _runspace != null && !ReferenceEquals(previous, _runspace);
            if (swap)
            {
                Runspace.DefaultRunspace = _runspace;
            }

            try
            {
                WriteHere(text);
            }
            finally
            {
                if (swap)
                {
                    Runspace.DefaultRunspace = previous;
                }
            }
        }
    }
}

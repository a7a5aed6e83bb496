using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PSThreading.Runtime
{
    /// <summary>
    /// Where the live host text of a caller's workers goes, one per caller runspace. While PSReadLine waits at
    /// the caller's prompt, text is queued and written on the caller's own thread, above the prompt, which is
    /// then drawn again with the half-typed line (written from the worker's thread it landed after the prompt
    /// and the user's typing overwrote it). Otherwise it is written at once from the worker's thread, with the
    /// caller's runspace as the thread's default runspace for the call, which is where the host looks for the
    /// transcripts to write to.
    /// </summary>
    internal sealed class LiveHostOutput
    {
        private const string SourceIdentifier = "PSThreading.LiveHostOutput";

        // Text queued for the prompt this long without the prompt taking it is written at once after all.
        private static readonly long s_maxQueuedTicks = Stopwatch.Frequency;
        private static readonly ConditionalWeakTable<Runspace, LiveHostOutput> s_byRunspace = new ConditionalWeakTable<Runspace, LiveHostOutput>();

        private readonly object _sync = new object();
        private readonly Queue<HostText> _queued = new Queue<HostText>();
        private readonly Runspace? _runspace;
        private readonly PSHostUserInterface _ui;
        private readonly HostOutputSignal? _signal;
        private long _queuedSince;

        private LiveHostOutput(Runspace? runspace, PSHostUserInterface ui, HostOutputSignal? signal)
        {
            _runspace = runspace;
            _ui = ui;
            _signal = signal;
        }

        /// <summary>The output of <paramref name="cmdlet"/>'s runspace, made on its pipeline thread the first time.</summary>
        public static LiveHostOutput For(PSCmdlet cmdlet)
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace == null)
            {
                return new LiveHostOutput(null, cmdlet.Host.UI, null);
            }

            lock (s_byRunspace)
            {
                if (!s_byRunspace.TryGetValue(runspace, out LiveHostOutput? output))
                {
                    output = Create(cmdlet, runspace);
                    s_byRunspace.Add(runspace, output);
                }

                return output;
            }
        }

        private static LiveHostOutput Create(PSCmdlet cmdlet, Runspace runspace)
        {
            if (!PSReadLinePrompt.IsLoaded)
            {
                return new LiveHostOutput(runspace, cmdlet.Host.UI, null);
            }

            // PSReadLine, while it waits for a key, lets the engine run pending event actions every 300 ms when an
            // object event has an action: the action below then runs on this runspace's own thread, at the prompt.
            var signal = new HostOutputSignal();
            var output = new LiveHostOutput(runspace, cmdlet.Host.UI, signal);
            var data = new PSObject(new Action(output.WriteQueuedAtPrompt));
            ScriptBlock action = ScriptBlock.Create("$Event.MessageData.Invoke()");
            cmdlet.Events.SubscribeEvent(signal, nameof(HostOutputSignal.Raised), SourceIdentifier, data, action, supportEvent: true, forwardEvent: false);
            return output;
        }

        /// <summary>Writes host text of a worker: queued for the prompt, or at once. Called on the worker's thread.</summary>
        /// <param name="transcript">The text for the caller's transcript; null for text that is not transcribed here.</param>
        public void Write(Action<PSHostUserInterface> write, string? transcript)
        {
            var text = new HostText(write, transcript);
            bool signal = false;
            lock (_sync)
            {
                bool stale = _queued.Count > 0 && Stopwatch.GetTimestamp() - _queuedSince > s_maxQueuedTicks;
                if (_signal != null && !stale && PSReadLinePrompt.IsReadingFor(_runspace))
                {
                    if (_queued.Count == 0)
                    {
                        _queuedSince = Stopwatch.GetTimestamp();
                    }

                    _queued.Enqueue(text);
                    signal = true;
                }
                else
                {
                    // Text still queued goes first: the lines keep the order they were written in.
                    while (_queued.Count > 0)
                    {
                        WriteForCaller(_queued.Dequeue());
                    }

                    WriteForCaller(text);
                }
            }

            if (signal)
            {
                _signal!.Raise();
            }
        }

        /// <summary>The event action, on the caller's thread: the queued text above the prompt, then the prompt again.</summary>
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
                    // A command runs now (the event came in during it): its output and ours simply follow each other.
                    while (_queued.Count > 0)
                    {
                        WriteHere(_queued.Dequeue());
                    }

                    return;
                }

                try
                {
                    int lastRow = Console.CursorTop;
                    Console.SetCursorPosition(0, PSReadLinePrompt.PromptTop());
                    ClearBelowCursor(lastRow);
                    while (_queued.Count > 0)
                    {
                        WriteHere(_queued.Dequeue());
                    }

                    if (Console.CursorLeft != 0)
                    {
                        // Text without a line end (Write-Host -NoNewline): the prompt goes on the next line.
                        _ui.WriteLine();
                    }

                    PSReadLinePrompt.DrawAt(Console.CursorTop);
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

        /// <summary>Blanks the prompt and the line being typed, from the cursor's row down (to <paramref name="lastRow"/> without VT).</summary>
        private void ClearBelowCursor(int lastRow)
        {
            if (_ui.SupportsVirtualTerminal)
            {
                // Straight to the console, not through the host: the escape sequence is no text for the transcript.
                Console.Out.Write("\u001b[J");
                Console.Out.Flush();
                return;
            }

            int top = Console.CursorTop;
            string blank = new string(' ', Math.Max(1, Console.BufferWidth - 1));
            for (int row = top; row <= lastRow && row < Console.BufferHeight; row++)
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

        private sealed class HostText
        {
            public HostText(Action<PSHostUserInterface> write, string? transcript)
            {
                Write = write;
                Transcript = transcript;
            }

            public Action<PSHostUserInterface> Write { get; }

            public string? Transcript { get; }
        }
    }
}

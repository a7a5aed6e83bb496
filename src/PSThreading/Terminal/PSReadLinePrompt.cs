using System;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSThreading.Engine;

namespace PSThreading.Terminal
{
    /// <summary>
    /// Writing above PSReadLine's prompt: where its prompt starts, its <c>InvokePrompt</c> to draw the prompt and
    /// the half-typed line again, and its idle hook, through which text waiting for the prompt is written on the
    /// prompt's own thread (PSReadLine's members are read in <see cref="PSReadLine"/>). The public way in,
    /// a PowerShell.OnIdle action, was no way: PSReadLine 2.4.5 raises OnIdle only with nothing typed, and after
    /// event actions it reads the cursor's row (waiting for the next key once anything coloured was written) and
    /// takes it as the typed line's first row (wrong with the cursor on a later row). Where PSReadLine's inside
    /// is not the one known, callers write straight to the console.
    /// </summary>
    internal static class PSReadLinePrompt
    {
        private static readonly object s_sync = new object();
        private static Action? s_whenIdle;
        private static Action<CancellationToken>? s_previousIdleHook;
        private static readonly Action<CancellationToken> s_idleHook = OnIdle;
        private static bool s_hooked;
        private static volatile Func<bool>? s_stillNeeded;

        /// <summary>True while PSReadLine waits at the prompt for a command line of <paramref name="runspace"/>.</summary>
        public static bool IsReadingFor(Runspace? runspace) => PSReadLine.IsReadingFor(runspace);

        /// <summary>True while text can be written above <paramref name="runspace"/>'s prompt: PSReadLine reads it, and our idle hook is set.</summary>
        public static bool CanWriteAbove(Runspace? runspace) => IsHookInPlace() && IsReadingFor(runspace);

        /// <summary>
        /// The buffer row where the prompt starts: the row the typed line starts on, less the rows the prompt's own
        /// text goes down (a two-line prompt function), or PSReadLine's ExtraPromptLineCount where that is more.
        /// </summary>
        public static int PromptTop(string prompt, int width)
        {
            var rows = new ConsoleRows(width);
            rows.Add(prompt);
            return Math.Max(0, PSReadLine.InitialY - Math.Max(rows.Count, PSReadLine.ExtraPromptLineCount));
        }

        /// <summary>True while this module's hook is PSReadLine's idle hook (another tool may have set its own since).</summary>
        public static bool IsHookInPlace()
        {
            return Volatile.Read(ref s_hooked) && PSReadLine.IsAvailable && ReferenceEquals(PSReadLine.IdleHook, s_idleHook);
        }

        /// <summary>
        /// Draws <paramref name="prompt"/> at the start of buffer row <paramref name="row"/>, then the line being typed after it,
        /// and leaves the cursor where the user was typing, at a place .NET knows: InvokePrompt ends by showing the
        /// cursor, an escape sequence after which .NET would ask the terminal where the cursor is (and wait for the
        /// next key, as PSReadLine's own idle work does when it reads the cursor's row).
        /// </summary>
        public static void DrawAt(int row, PromptText prompt)
        {
            prompt.WhilePlain(() => PSReadLine.InvokePrompt(row));
            if (prompt.NeedsOverwrite)
            {
                // The real prompt over the plain one, column for column.
                Console.SetCursorPosition(1, row);
                Console.SetCursorPosition(0, row);
                Console.Out.Write(prompt.Shown);
                Console.Out.Flush();
            }

            int x = PSReadLine.InitialX;
            int y = PSReadLine.InitialY;
            // Two moves: .NET skips a move to where it believes the cursor is, so one of these is written for sure.
            Console.SetCursorPosition(x == 0 ? 1 : 0, y);
            Console.SetCursorPosition(x, y);
            _ = PSReadLine.GetBufferState(out int cursor);
            if (cursor > 0)
            {
                // PSReadLine's own SetCursorPosition: from the line's start to the typed position, as it counts rows.
                PSReadLine.SetCursorPosition(cursor);
            }
        }

        /// <summary>
        /// Sets PSReadLine's idle hook to this module's, once, on the prompt's own thread (PSReadLine, waiting for a
        /// key, missed a hook set from another thread until the next key). False when PSReadLine does not read for
        /// <paramref name="runspace"/>, or its inside is not the one known here.
        /// </summary>
        public static bool EnsureIdleHook(Runspace? runspace)
        {
            if (!PSReadLine.IsStartedFor(runspace))
            {
                return false;
            }

            lock (s_sync)
            {
                // In use again (imported again after a removal): the hook stays for good.
                s_stillNeeded = null;
                if (!s_hooked)
                {
                    // A hook already set (PowerShell Editor Services sets one) is called from ours.
                    s_previousIdleHook = PSReadLine.IdleHook;
                    PSReadLine.IdleHook = s_idleHook;
                    Volatile.Write(ref s_hooked, true);
                }
            }

            return true;
        }

        /// <summary>Runs <paramref name="action"/> on the prompt's thread the next time PSReadLine is idle between keys.</summary>
        public static void CallWhenIdle(Action action)
        {
            lock (s_sync)
            {
                if (s_whenIdle == null || !s_whenIdle.GetInvocationList().Contains(action))
                {
                    s_whenIdle += action;
                }
            }
        }

        /// <summary>
        /// Module removal, on the pipeline thread (no line is being read): text waiting for the prompt is written
        /// now, and the hook is put back to the one found before once <paramref name="stillNeeded"/> says no thread
        /// of ours can write any more (threads left running keep writing above the prompt until they end).
        /// </summary>
        public static void Release(Func<bool> stillNeeded)
        {
            Action? whenIdle;
            lock (s_sync)
            {
                whenIdle = s_whenIdle;
                s_whenIdle = null;
                s_stillNeeded = stillNeeded;
            }

            whenIdle?.Invoke();
            if (!stillNeeded())
            {
                Unhook();
            }
        }

        private static void Unhook()
        {
            lock (s_sync)
            {
                if (s_hooked && PSReadLine.IsAvailable && ReferenceEquals(PSReadLine.IdleHook, s_idleHook))
                {
                    PSReadLine.IdleHook = s_previousIdleHook;
                }

                s_stillNeeded = null;
                Volatile.Write(ref s_hooked, false);
            }
        }

        private static void OnIdle(CancellationToken cancellation)
        {
            Action? whenIdle;
            lock (s_sync)
            {
                whenIdle = s_whenIdle;
                s_whenIdle = null;
            }

            whenIdle?.Invoke();
            if (s_previousIdleHook != null)
            {
                s_previousIdleHook(cancellation);
            }
            else
            {
                PSReadLineEvents.Pump();
            }

            Func<bool>? stillNeeded = s_stillNeeded;
            if (stillNeeded != null && s_whenIdle == null && !stillNeeded())
            {
                // Removed, and the last thread that could write has ended: PSReadLine's own idle work again.
                Unhook();
            }
        }
    }
}

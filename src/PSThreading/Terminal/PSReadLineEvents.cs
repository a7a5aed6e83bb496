using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Engine;

namespace PSThreading.Terminal
{
    /// <summary>
    /// What PSReadLine 2.4.5 does itself each 300 ms without a key, unless an idle hook is set: with event
    /// subscribers, raise PowerShell.OnIdle (only with nothing typed) and run a tiny pipeline so that pending event
    /// actions run, then start the line where the cursor is if an action wrote. Our idle hook (see <see cref="PSReadLinePrompt"/>)
    /// replaces that step, so it does it in its place: timers and engine events with actions keep working at the
    /// prompt. The events are the prompt's runspace's (public), the typed line PSReadLine's public GetBufferState;
    /// only the typed line's row is PSReadLine's own (see <see cref="PSReadLine"/>).
    /// </summary>
    internal static class PSReadLineEvents
    {
        private const string OnIdle = "PowerShell.OnIdle";

        /// <summary>On the prompt's thread, whose default runspace is the one PSReadLine reads for.</summary>
        public static void Pump()
        {
            PSEventManager? events = Runspace.DefaultRunspace?.Events;
            List<PSEventSubscriber>? subscribers = events?.Subscribers;
            if (events == null || subscribers == null || subscribers.Count == 0)
            {
                return;
            }

            int typed = PSReadLine.GetBufferState(out _).Length;
            bool run = false;
            foreach (PSEventSubscriber subscriber in subscribers)
            {
                if (string.Equals(subscriber.SourceIdentifier, OnIdle, StringComparison.OrdinalIgnoreCase))
                {
                    if (typed > 0)
                    {
                        // Half a line typed is not idle.
                        continue;
                    }

                    run = true;
                    events.GenerateEvent(OnIdle, null, null, null);
                    break;
                }

                run = true;
            }

            if (!run)
            {
                return;
            }

            if (typed > 0)
            {
                // Not PSReadLine's cursor check: reading the cursor's row on Unix asks the terminal and waits for
                // its answer on the input, which PSReadLine's key reader holds until the next key (seen here, with
                // half a line typed, as a prompt thread stuck until a key came).
                RunPendingActions();
                return;
            }

            int row = Console.CursorTop;
            RunPendingActions();
            if (row != Console.CursorTop && typed == PSReadLine.GetBufferState(out _).Length)
            {
                // An action wrote: the line being typed starts where the cursor is now.
                PSReadLine.InitialY = Console.CursorTop;
            }
        }

        private static void RunPendingActions()
        {
            using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddScript("0", useLocalScope: true);
                ps.Invoke();
            }
        }
    }
}

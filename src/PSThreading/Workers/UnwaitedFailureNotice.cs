using System;
using PSThreading.Core.Threads;
using PSThreading.Hosts;
using PSThreading.Pool;
using PSThreading.Terminal;
using PSThreading.Values;

namespace PSThreading.Workers
{
    /// <summary>
    /// Python's <c>threading.excepthook</c>: a thread that fails while no Wait-WorkerThread waits on it says so
    /// in one line on the console's error output, so the failure is not silent. The full error stays on the
    /// thread for the join. A thread whose host text is live writes it that way (above an idle PSReadLine prompt,
    /// into the transcript); otherwise it goes to the process's standard error.
    /// </summary>
    internal static class UnwaitedFailureNotice
    {
        public static void WriteIfUnwaited(WorkerThread thread, string message, LiveHostOutput? live)
        {
            if (thread.IsWaitedOn)
            {
                return;
            }

            WriteNotice(Format(thread.Name, message), live, asError: true);
        }

        /// <summary>A one-line notice of the module's own about a thread: as live host text goes, else to standard error.</summary>
        internal static void WriteNotice(string line, LiveHostOutput? live, bool asError)
        {
            try
            {
                if (live != null)
                {
                    live.Write(new HostText(ui => WriteLine(ui, line, asError), line + "\n", line));
                }
                else
                {
                    Console.Error.WriteLine(line);
                }
            }
            catch (Exception)
            {
                // A closed or broken console cannot fail the thread: the notice is lost, the thread goes on.
            }
        }

        private static void WriteLine(System.Management.Automation.Host.PSHostUserInterface ui, string line, bool asError)
        {
            if (asError)
            {
                ui.WriteErrorLine(line);
            }
            else
            {
                ui.WriteLine(line);
            }
        }

        public static string Format(string threadName, string message) =>
            $"PSThreading: thread '{threadName}' failed: {message.TrimEnd('.', ' ')}. Run Wait-WorkerThread to get its error.";
    }
}

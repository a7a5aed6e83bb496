using System;
using PSThreading.Core.Threads;

namespace PSThreading.Runtime
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

            string line = Format(thread.Name, message);
            try
            {
                if (live != null)
                {
                    live.Write(new HostText(ui => ui.WriteErrorLine(line), line + "\n", line));
                }
                else
                {
                    Console.Error.WriteLine(line);
                }
            }
            catch (Exception)
            {
                // A closed or broken error stream cannot fail the thread's own failure report.
            }
        }

        public static string Format(string threadName, string message) =>
            $"PSThreading: thread '{threadName}' failed: {message.TrimEnd('.', ' ')}. Run Wait-WorkerThread to get its error.";
    }
}

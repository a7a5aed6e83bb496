using System;
using PSThreading.Core.Threads;

namespace PSThreading.Runtime
{
    /// <summary>
    /// Python's <c>threading.excepthook</c>: a thread that fails while no Wait-WorkerThread waits on it says so
    /// in one line on the console's error output, so the failure is not silent. The full error stays on the
    /// thread for the join. The one place that writes it, so that it can be routed through a prompt-safe
    /// writer later.
    /// </summary>
    internal static class UnwaitedFailureNotice
    {
        public static void WriteIfUnwaited(WorkerThread thread, string message)
        {
            if (thread.IsWaitedOn)
            {
                return;
            }

            try
            {
                Console.Error.WriteLine(Format(thread.Name, message));
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

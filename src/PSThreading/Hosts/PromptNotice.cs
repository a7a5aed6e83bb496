using System;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Terminal;
using PSThreading.Values;
using PSThreading.Workers;

namespace PSThreading.Hosts
{
    /// <summary>
    /// A worker that stops at a prompt (Read-Host, -Confirm, PromptForChoice, Get-Credential) while no join waits on
    /// it says so in one line, as the live host text goes (above an idle prompt): silent, a new user found the Blocked
    /// thread only through Get-ActiveThread. The join asks the prompt; the line says which command does that.
    /// </summary>
    internal static class PromptNotice
    {
        // A join started on the same line as the thread comes a moment after its first prompt: said then, the line
        // landed inside the prompt the join was showing.
        private static readonly TimeSpan s_joinGrace = TimeSpan.FromMilliseconds(300);

        public static void WriteIfUnwaited(WorkerThread thread, LiveHostOutput? live)
        {
            var clock = Stopwatch.StartNew();
            while (!thread.IsWaitedOn && clock.Elapsed < s_joinGrace)
            {
                Thread.Sleep(25);
            }

            if (thread.IsWaitedOn)
            {
                return;
            }

            UnwaitedFailureNotice.WriteNotice(Format(thread.Name), live, asError: false);
        }

        public static string Format(string threadName) =>
            $"PSThreading: thread '{threadName}' waits at a prompt. Run Wait-WorkerThread -Name '{threadName}' to answer it.";
    }
}

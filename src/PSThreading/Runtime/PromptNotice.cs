using PSThreading.Core.Threads;

namespace PSThreading.Runtime
{
    /// <summary>
    /// A worker that stops at a prompt (Read-Host, -Confirm, PromptForChoice, Get-Credential) while no join waits on
    /// it says so in one line, as the live host text goes (above an idle prompt): silent, a new user found the Blocked
    /// thread only through Get-ActiveThread. The join asks the prompt; the line says which command does that.
    /// </summary>
    internal static class PromptNotice
    {
        public static void WriteIfUnwaited(WorkerThread thread, LiveHostOutput? live)
        {
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

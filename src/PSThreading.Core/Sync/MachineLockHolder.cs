using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Who holds a machine lock, in whichever process of the machine: the process, its command line (which names
    /// the script for <c>pwsh -File</c>), the thread and since when. The mutex itself carries none of this; the
    /// holder writes it to a small file beside the mutex once it has taken it and deletes it before releasing,
    /// so it is information only: the mutex decides who holds the lock. A file still there when the next
    /// taker gets the mutex was left by a process that died holding the lock.
    /// </summary>
    public sealed class MachineLockHolder
    {
        private MachineLockHolder(int processId, string processName, string commandLine, string threadName, int threadId, DateTime sinceUtc)
        {
            ProcessId = processId;
            ProcessName = processName;
            CommandLine = commandLine;
            ThreadName = threadName;
            ThreadId = threadId;
            Since = sinceUtc.ToLocalTime();
        }

        public int ProcessId { get; }

        public string ProcessName { get; }

        /// <summary>The holder process's command line: for <c>pwsh -File deploy.ps1</c>, the script's path.</summary>
        public string CommandLine { get; }

        public string ThreadName { get; }

        public int ThreadId { get; }

        /// <summary>When the holder took the lock, local time.</summary>
        public DateTime Since { get; }

        /// <summary>True when the holder is a thread of the calling process.</summary>
        public bool IsThisProcess => ProcessId == CurrentProcess.Id;

        /// <summary>For messages: <c>process 4242 (pwsh: pwsh -File /srv/deploy.ps1), thread 'MainThread' (id 1) since 10:41:07.512</c>.</summary>
        public override string ToString() => string.Format(
            CultureInfo.InvariantCulture, "process {0} ({1}: {2}), thread '{3}' (id {4}) since {5:HH:mm:ss.fff}",
            ProcessId, ProcessName, CommandLine, ThreadName, ThreadId, Since);

        /// <summary>The calling process's <paramref name="thread"/>, holding since <paramref name="sinceUtcTicks"/>.</summary>
        internal static MachineLockHolder InThisProcess(WorkerThread thread, long sinceUtcTicks) => new MachineLockHolder(
            CurrentProcess.Id, CurrentProcess.Name, CurrentProcess.CommandLine, thread.Name, thread.ManagedThreadId,
            new DateTime(sinceUtcTicks, DateTimeKind.Utc));

        internal void WriteTo(string path)
        {
            string text = string.Join("\n", new[]
            {
                ProcessId.ToString(CultureInfo.InvariantCulture), ProcessName, OneLine(CommandLine), OneLine(ThreadName),
                ThreadId.ToString(CultureInfo.InvariantCulture), Since.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
            });
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, Encoding.UTF8);
        }

        /// <summary>The holder written to <paramref name="path"/>, or null when there is none (or it cannot be read).</summary>
        internal static MachineLockHolder? ReadFrom(string path)
        {
            try
            {
                string[] lines = File.ReadAllText(path, Encoding.UTF8).Split('\n');
                return lines.Length < 6 ? null : new MachineLockHolder(
                    int.Parse(lines[0], CultureInfo.InvariantCulture), lines[1], lines[2], lines[3],
                    int.Parse(lines[4], CultureInfo.InvariantCulture),
                    new DateTime(long.Parse(lines[5], CultureInfo.InvariantCulture), DateTimeKind.Utc));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is FormatException || ex is OverflowException)
            {
                return null;
            }
        }

        private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ');

        /// <summary>The calling process, read once.</summary>
        private static class CurrentProcess
        {
            public static readonly int Id;
            public static readonly string Name;
            public static readonly string CommandLine;

            static CurrentProcess()
            {
                using (Process self = Process.GetCurrentProcess())
                {
                    Id = self.Id;
                    Name = self.ProcessName;
                }

                var quoted = new List<string>();
                foreach (string argument in Environment.GetCommandLineArgs())
                {
                    quoted.Add(argument.IndexOf(' ') >= 0 ? "\"" + argument + "\"" : argument);
                }

                CommandLine = string.Join(" ", quoted);
            }
        }
    }
}

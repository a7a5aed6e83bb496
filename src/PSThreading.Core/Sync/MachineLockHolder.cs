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
    /// holder writes it to a small file beside the mutex once it has taken it, and marks the file free before
    /// releasing: it is information only, and the mutex decides who holds the lock. A record still marked held
    /// when the next taker gets the mutex was left by a process that died holding the lock.
    /// </summary>
    public sealed class MachineLockHolder
    {
        // Both marks are the same length, so that marking a record free overwrites exactly its first line.
        private const string HeldMark = "held";
        private const string FreeMark = "free";
        private const int RecordSize = 4096;
        private const int MaxCommandLineLength = 3000;

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

        /// <summary>
        /// Writes the holder to <paramref name="path"/> as a record of fixed size, over the one there: the file
        /// is written in place and never shrunk or deleted, since freeing a file's blocks costs a disk flush on
        /// some file systems (15 ms per take and release here on ext4 mounted with discard, against under 1 ms).
        /// </summary>
        internal void WriteTo(string path)
        {
            string commandLine = OneLine(CommandLine);
            if (commandLine.Length > MaxCommandLineLength)
            {
                commandLine = commandLine.Substring(0, MaxCommandLineLength) + "...";
            }

            string text = string.Join("\n", new[]
            {
                HeldMark, ProcessId.ToString(CultureInfo.InvariantCulture), OneLine(ProcessName), commandLine, OneLine(ThreadName),
                ThreadId.ToString(CultureInfo.InvariantCulture), Since.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture), "",
            });
            byte[] record = new byte[RecordSize];
            for (int i = 0; i < record.Length; i++)
            {
                record[i] = (byte)' ';
            }

            byte[] bytes = Encoding.UTF8.GetBytes(text);
            Array.Copy(bytes, record, Math.Min(bytes.Length, record.Length));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteAt(path, record, FileMode.OpenOrCreate);
        }

        /// <summary>Marks the record at <paramref name="path"/> free: the holder released the lock.</summary>
        internal static void MarkFree(string path) => WriteAt(path, Encoding.UTF8.GetBytes(FreeMark + "\n"), FileMode.Open);

        /// <summary>The holder recorded at <paramref name="path"/>, or null when it is marked free, missing or unreadable.</summary>
        internal static MachineLockHolder? ReadFrom(string path)
        {
            try
            {
                string[] lines = File.ReadAllText(path, Encoding.UTF8).Split('\n');
                return lines.Length < 7 || lines[0] != HeldMark ? null : new MachineLockHolder(
                    int.Parse(lines[1], CultureInfo.InvariantCulture), lines[2], lines[3], lines[4],
                    int.Parse(lines[5], CultureInfo.InvariantCulture),
                    new DateTime(long.Parse(lines[6], CultureInfo.InvariantCulture), DateTimeKind.Utc));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is FormatException || ex is OverflowException)
            {
                return null;
            }
        }

        private static void WriteAt(string path, byte[] bytes, FileMode mode)
        {
            using (var file = new FileStream(path, mode, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
                file.Write(bytes, 0, bytes.Length);
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

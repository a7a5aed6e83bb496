using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Who holds a machine lock, in whichever process of the machine: the process, its command line (which names
    /// the script for <c>pwsh -File</c>), the thread and since when. The lock itself carries none of this; the
    /// holder writes it into the lock's file once it has taken it (see <see cref="MachineLockFile"/>), which a
    /// clean release removes: a record still there when the next taker gets the lock was left by a process that
    /// died holding it.
    /// </summary>
    public sealed class MachineLockHolder
    {
        private const string HeldMark = "held";
        private const int RecordSize = MachineLockFile.MaxRecordSize;
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
        /// The holder as a record of fixed size: written over whatever an earlier holder left in the file (a killed
        /// holder's record may be longer), without shrinking the file.
        /// </summary>
        internal byte[] ToRecord()
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
            return record;
        }

        /// <summary>The holder a record names, or null when it is empty, marked free or not a record.</summary>
        internal static MachineLockHolder? Parse(byte[]? record)
        {
            if (record == null || record.Length == 0)
            {
                return null;
            }

            try
            {
                string[] lines = Encoding.UTF8.GetString(record).Split('\n');
                return lines.Length < 7 || lines[0] != HeldMark ? null : new MachineLockHolder(
                    int.Parse(lines[1], CultureInfo.InvariantCulture), lines[2], lines[3], lines[4],
                    int.Parse(lines[5], CultureInfo.InvariantCulture),
                    new DateTime(long.Parse(lines[6], CultureInfo.InvariantCulture), DateTimeKind.Utc));
            }
            catch (Exception ex) when (ex is FormatException || ex is OverflowException || ex is ArgumentException)
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

using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using PSThreading.Core.Sync;

namespace PSThreading.Processes
{
    /// <summary>
    /// The stderr of a worker process, for the message of a process that ended under an item (a FailFast's text, a
    /// stack overflow's). PowerShell's transport takes the child's stderr for itself, so on Linux and macOS the
    /// child sends its stderr (fd 2) to a file of its own instead: in a folder only this user can enter (0700, owner
    /// checked, never through a link), read back bounded, deleted with the child. On Windows nothing is kept.
    /// </summary>
    internal static class ChildStderr
    {
        internal const string FileVariable = "PSTHREADING_STDERR_FILE";

        // A crash's message is short: the start of the file holds it, and reads stay bounded.
        private const int MaxRead = 16 * 1024;

        /// <summary>Parent side: a path for a new child's stderr, or null where none is kept (Windows, an unsafe folder).</summary>
        public static string? NewPath()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return null;
            }

            try
            {
                string folder = MachineLockFolder.EnsureSafe(Path.Combine(Path.GetTempPath(), "PSThreading-stderr-" + UnixNative.EffectiveUserId));
                return Path.Combine(folder, Guid.NewGuid().ToString("n") + ".log");
            }
            catch (Exception)
            {
                // A folder that is not safe to use (another user's, a link) is not used: the message has no stderr lines.
                return null;
            }
        }

        /// <summary>Child side: sends fd 2 to the file the parent named, once, at PSThreading's import.</summary>
        public static void RedirectIfWorkerProcess()
        {
            string? path = Environment.GetEnvironmentVariable(FileVariable);
            if (string.IsNullOrEmpty(path) || RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return;
            }

            Environment.SetEnvironmentVariable(FileVariable, null);
            int fd = UnixNative.OpenFile(path!, create: true);
            if (fd < 0)
            {
                return;
            }

            try
            {
                if (IsOwnFile(fd))
                {
                    dup2(fd, 2);
                }
            }
            finally
            {
                UnixNative.Close(fd);
            }
        }

        /// <summary>Parent side: about <paramref name="count"/> non-empty lines the child wrote to stderr, the first and the last.</summary>
        public static IReadOnlyList<string> LastLines(string? path, int count)
        {
            var lines = new List<string>();
            if (path == null)
            {
                return lines;
            }

            int fd = UnixNative.OpenFile(path, create: false);
            if (fd < 0)
            {
                return lines;
            }

            try
            {
                if (!IsOwnFile(fd))
                {
                    return lines;
                }

                var buffer = new byte[MaxRead];
                int read = UnixNative.ReadStart(fd, buffer, buffer.Length);
                foreach (string line in Encoding.UTF8.GetString(buffer, 0, Math.Max(0, read)).Split('\n'))
                {
                    if (!string.IsNullOrWhiteSpace(line))
                    {
                        lines.Add(line.TrimEnd('\r'));
                    }
                }
            }
            finally
            {
                UnixNative.Close(fd);
            }

            if (lines.Count <= count)
            {
                return lines;
            }

            // A crash says what happened first (FailFast's "Process terminated. <message>") and then a long stack:
            // the start and the end are kept.
            const int Head = 3;
            var kept = lines.GetRange(0, Head);
            kept.Add("...");
            kept.AddRange(lines.GetRange(lines.Count - (count - Head), count - Head));
            return kept;
        }

        // A regular file of this user with one name: not a link, a FIFO or another user's file put in the way.
        private static bool IsOwnFile(int fd)
        {
            UnixNative.FileStatus status = UnixNative.FStat(fd);
            return status.IsRegularFile && status.Uid == UnixNative.EffectiveUserId && status.Links == 1;
        }

        public static void Delete(string? path)
        {
            if (path != null)
            {
                UnixNative.Unlink(path);
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int dup2(int oldfd, int newfd);
    }
}

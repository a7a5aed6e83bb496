using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;

namespace PSThreading.Processes
{
    /// <summary>
    /// Child side: a worker process ends itself as soon as the process that started it is gone, even when that
    /// one was killed (SIGKILL runs no cleanup of ours) and even while an item is stuck in a .NET call. Started
    /// by PSThreading's import when <see cref="ParentVariable"/> names the parent; checked every half second.
    /// </summary>
    internal static class ParentWatch
    {
        internal const string ParentVariable = "PSTHREADING_PARENT_PID";

        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(500);
        private static int s_started;

        /// <summary>What a child is given in <see cref="ParentVariable"/>: this process's id.</summary>
        public static string ThisProcess()
        {
            using (Process self = Process.GetCurrentProcess())
            {
                return self.Id.ToString(CultureInfo.InvariantCulture);
            }
        }

        /// <summary>In a worker process: starts the watch (once). Elsewhere: nothing.</summary>
        public static void StartIfWorkerProcess()
        {
            ChildStderr.RedirectIfWorkerProcess();
            string? value = Environment.GetEnvironmentVariable(ParentVariable);
            if (string.IsNullOrEmpty(value) || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parentId))
            {
                return;
            }

            // A process this child starts (a pwsh of its own) must not watch our parent: it has its own.
            Environment.SetEnvironmentVariable(ParentVariable, null);
            if (Interlocked.Exchange(ref s_started, 1) != 0)
            {
                return;
            }

            Func<bool>? parentAlive = ParentCheck(parentId);
            if (parentAlive == null)
            {
                return;
            }

            var watch = new Thread(() => Watch(parentAlive)) { IsBackground = true, Name = "PSThreading parent watch" };
            watch.Start();
        }

        private static Func<bool>? ParentCheck(int parentId)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                try
                {
                    Process parent = Process.GetProcessById(parentId);
                    return () => !parent.HasExited;
                }
                catch (ArgumentException)
                {
                    // Gone already.
                    return () => false;
                }
            }

            // On Linux and macOS a process whose parent ends is given to another (init, a subreaper): the parent id
            // changes at once, also when the parent was killed and not yet reaped. A process that was not started by
            // that parent (the variable was inherited by accident) does not watch at all.
            if (getppid() != parentId)
            {
                return null;
            }

            return () => getppid() == parentId;
        }

        private static void Watch(Func<bool> parentAlive)
        {
            while (true)
            {
                Thread.Sleep(s_interval);
                bool alive;
                try
                {
                    alive = parentAlive();
                }
                catch (Exception)
                {
                    alive = false;
                }

                if (!alive)
                {
                    // No cleanup can run here (an item may be stuck in a .NET call): the process ends as it is.
                    using (Process self = Process.GetCurrentProcess())
                    {
                        self.Kill();
                    }

                    return;
                }
            }
        }

        [DllImport("libc", SetLastError = false)]
        private static extern int getppid();
    }
}

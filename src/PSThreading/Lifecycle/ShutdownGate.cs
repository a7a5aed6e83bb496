using System;
using System.Threading;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Lifecycle
{
    /// <summary>
    /// Serializes the module's own calls into worker runspaces (opening, preparing, cleaning) against the
    /// process exit. When the console's runspace closes, pwsh disposes every other open runspace, and a runspace
    /// disposed while a SessionStateProxy call runs in it throws "Runspace cannot be closed while a SessionStateProxy
    /// method call is in progress" out of that disposal, which ends the process (exit 134). Once the gate is
    /// closed no such call starts, and closing it waits for those under way.
    /// </summary>
    internal static class ShutdownGate
    {
        private static readonly object s_sync = new object();
        private static bool s_closed;
        private static int s_inside;

        /// <summary>True once the process has begun to exit: runspaces are then dropped, not cleaned or reused.</summary>
        public static bool IsClosed
        {
            get
            {
                lock (s_sync)
                {
                    return s_closed;
                }
            }
        }

        /// <summary>Enters for one call into a runspace; false once the process is exiting. Pair with <see cref="Leave"/>.</summary>
        public static bool TryEnter()
        {
            lock (s_sync)
            {
                if (s_closed)
                {
                    return false;
                }

                s_inside++;
                return true;
            }
        }

        public static void Leave()
        {
            lock (s_sync)
            {
                s_inside--;
                if (s_inside == 0)
                {
                    Monitor.PulseAll(s_sync);
                }
            }
        }

        /// <summary>As <see cref="TryEnter"/>, throwing when the process is exiting: a worker starting then is stopped.</summary>
        public static void Enter()
        {
            if (!TryEnter())
            {
                throw new OperationCanceledException("PowerShell is exiting: no new worker runspace is prepared.");
            }
        }

        /// <summary>
        /// Closes the gate and waits, at most <paramref name="wait"/>, for the calls inside to end (each takes
        /// a few milliseconds). True when none is left.
        /// </summary>
        public static bool Close(TimeSpan wait)
        {
            DateTime deadline = DateTime.UtcNow + wait;
            lock (s_sync)
            {
                s_closed = true;
                while (s_inside > 0)
                {
                    TimeSpan left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero)
                    {
                        return false;
                    }

                    Monitor.Wait(s_sync, left);
                }

                return true;
            }
        }
    }
}

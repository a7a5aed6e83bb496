using System;
using System.Threading;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// Ctrl+C for the main thread's blocking waits. At the console, Ctrl+C stops the running pipeline, which a
    /// method call such as <c>$lock.Acquire()</c> never notices: the wait would go on, and take the lock once
    /// its holder let go. The module installs a listener for the console's Ctrl+C; it is listening only while
    /// a main-thread wait blocks, so Ctrl+C at any other time is the host's alone.
    /// </summary>
    internal static class MainThreadInterrupt
    {
        private static readonly object s_sync = new object();
        private static Func<Action, IDisposable>? s_listen;
        private static CancellationTokenSource? s_interrupted;
        private static IDisposable? s_listening;
        private static int s_waits;

        /// <summary>
        /// Sets how to hear Ctrl+C: <paramref name="listen"/> starts calling its action on every Ctrl+C, until
        /// the returned object is disposed. Null: main-thread waits end on their own terms only.
        /// </summary>
        public static void SetListener(Func<Action, IDisposable>? listen)
        {
            lock (s_sync)
            {
                s_listen = listen;
            }
        }

        /// <summary>True while a main-thread wait is listening for Ctrl+C.</summary>
        public static bool IsListening
        {
            get
            {
                lock (s_sync)
                {
                    return s_listening != null;
                }
            }
        }

        /// <summary>At the start of a main-thread wait: the token Ctrl+C cancels while it blocks.</summary>
        internal static CancellationToken Enter()
        {
            lock (s_sync)
            {
                if (s_waits++ == 0 && s_listen != null)
                {
                    s_interrupted = new CancellationTokenSource();
                    try
                    {
                        s_listening = s_listen(Interrupt);
                    }
                    catch (Exception)
                    {
                        // No console to listen to (a host without one): the wait goes on without Ctrl+C.
                        s_interrupted = null;
                    }
                }

                return s_interrupted?.Token ?? CancellationToken.None;
            }
        }

        /// <summary>At the end of a main-thread wait: the last one to end stops listening.</summary>
        internal static void Exit()
        {
            IDisposable? listening = null;
            CancellationTokenSource? interrupted = null;
            lock (s_sync)
            {
                if (--s_waits == 0)
                {
                    listening = s_listening;
                    interrupted = s_interrupted;
                    s_listening = null;
                    s_interrupted = null;
                }
            }

            listening?.Dispose();
            interrupted?.Dispose();
        }

        private static void Interrupt()
        {
            CancellationTokenSource? interrupted;
            lock (s_sync)
            {
                interrupted = s_interrupted;
            }

            try
            {
                interrupted?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The wait ended as Ctrl+C came: nothing left to interrupt.
            }
        }
    }
}

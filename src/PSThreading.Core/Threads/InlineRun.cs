using System;
using System.Collections.Generic;
using System.Threading;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// Marks the calling thread as running a block inline (<c>$PSThreadingMode = 'Inline'</c>): the block of a
    /// worker or a pool item runs on the caller's own thread, and the caller goes on only once it has ended. A
    /// wait there that only the caller could end would hang the script for ever; <see cref="ThrowIfWouldBlock"/>
    /// refuses it instead.
    /// </summary>
    internal static class InlineRun
    {
        [ThreadStatic]
        private static InlineFrame? t_frame;

        /// <summary>True while the calling thread runs an inline block.</summary>
        public static bool IsActive => t_frame != null;

        /// <summary>
        /// Begins one inline block on this thread (blocks nest: a block may start another inline).
        /// <paramref name="onPolling"/> is called once if the block polls for the caller (see
        /// <see cref="ThrowIfWouldBlock"/>): it must stop the block, which could catch the error and poll on.
        /// </summary>
        public static InlineFrame Enter(Action onPolling)
        {
            var frame = new InlineFrame(t_frame, onPolling);
            t_frame = frame;
            return frame;
        }

        public static void Exit(InlineFrame frame) => t_frame = frame.Outer;

        /// <summary>
        /// The rule, for a wait that cannot finish at once inside an inline block while no other live thread
        /// (listed by Get-ActiveThread, the main thread included) could release or signal <paramref name="target"/>:
        /// only the caller could end it, and the caller runs only after the block. An untimed wait throws
        /// <see cref="InlineWouldBlockException"/> at once. A timed one (a zero timeout included) times out, once;
        /// a second wait on the same object in the same block is a poll for the caller, which would never end: it
        /// throws too, and the block is stopped.
        /// </summary>
        public static void ThrowIfWouldBlock(ISyncObject target, bool isTimed)
        {
            InlineFrame? frame = t_frame;
            if (frame == null || OtherLiveThreadExists())
            {
                return;
            }

            if (!isTimed)
            {
                throw new InlineWouldBlockException(target, string.Format(
                    System.Globalization.CultureInfo.InvariantCulture,
                    "This wait on {0} '{1}' would block for ever: the block runs inline ($PSThreadingMode = 'Inline') on the caller's " +
                    "own thread, and no other thread is alive to release or signal it. In Threads mode the thread that does so " +
                    "would run meanwhile; inline it only runs after this block. Give the wait a timeout, or run this test with " +
                    "$PSThreadingMode = 'Threads'.",
                    target.Kind,
                    target.Name));
            }

            if (frame.FirstTimedWait(target))
            {
                return;
            }

            var polling = new InlineWouldBlockException(target, string.Format(
                System.Globalization.CultureInfo.InvariantCulture,
                "This block waits on {0} '{1}' again after a wait on it timed out: it polls for what only the caller could do, " +
                "and the block runs inline ($PSThreadingMode = 'Inline') on the caller's own thread, where the caller goes on " +
                "only after the block. It would poll for ever, so it is stopped here. In Threads mode the caller would run " +
                "meanwhile: run this test with $PSThreadingMode = 'Threads', or start the block as a -Daemon (a daemon that " +
                "polls for the caller inline is left there, as the script's end leaves a daemon).",
                target.Kind,
                target.Name));
            frame.Poll(polling);
            throw polling;
        }

        private static bool OtherLiveThreadExists()
        {
            int self = Environment.CurrentManagedThreadId;
            foreach (WorkerThread thread in ThreadRegistry.Enumerate())
            {
                if (thread.ManagedThreadId != self && thread.IsAlive)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>One inline block on a thread: the objects it has waited on with a timeout, and whether it polled.</summary>
    internal sealed class InlineFrame
    {
        private readonly HashSet<ISyncObject> _timedWaits = new HashSet<ISyncObject>();
        private readonly Action _onPolling;

        internal InlineFrame(InlineFrame? outer, Action onPolling)
        {
            Outer = outer;
            _onPolling = onPolling;
        }

        internal InlineFrame? Outer { get; }

        /// <summary>The error of the wait that polled for the caller; null while the block has not.</summary>
        public InlineWouldBlockException? PollingError { get; private set; }

        internal bool FirstTimedWait(ISyncObject target) => _timedWaits.Add(target);

        internal void Poll(InlineWouldBlockException error)
        {
            if (PollingError == null)
            {
                PollingError = error;
                _onPolling();
            }
        }
    }
}

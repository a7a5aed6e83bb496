using System;
using System.Threading;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// Marks the calling thread as running a block inline (<c>$PSThreadingMode = 'Inline'</c>): the block of a
    /// worker or a pool item runs on the caller's own thread. An untimed wait there that no other live thread
    /// could end would hang the caller for ever; <see cref="ThrowIfWouldBlock"/> refuses it instead.
    /// </summary>
    internal static class InlineRun
    {
        [ThreadStatic]
        private static int t_depth;

        /// <summary>True while the calling thread runs an inline block.</summary>
        public static bool IsActive => t_depth > 0;

        public static void Enter() => t_depth++;

        public static void Exit() => t_depth--;

        /// <summary>
        /// The rule: inside an inline block, an untimed wait that cannot finish at once, while no other live
        /// thread (listed by Get-ActiveThread, the main thread included) could release or signal
        /// <paramref name="target"/>, throws <see cref="InlineWouldBlockException"/>. A timed wait just times out.
        /// </summary>
        public static void ThrowIfWouldBlock(ISyncObject target, bool isTimed)
        {
            if (isTimed || !IsActive || OtherLiveThreadExists())
            {
                return;
            }

            throw new InlineWouldBlockException(target, string.Format(
                System.Globalization.CultureInfo.InvariantCulture,
                "This wait on {0} '{1}' would block for ever: the block runs inline ($PSThreadingMode = 'Inline') on the caller's " +
                "own thread, and no other thread is alive to release or signal it. In Threads mode the thread that does so " +
                "would run meanwhile; inline it only runs after this block. Give the wait a timeout, or run this test with " +
                "$PSThreadingMode = 'Threads'.",
                target.Kind,
                target.Name));
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
}

using System;
using PSThreading.Core.Threads;
using PSThreading.Runspaces;

namespace PSThreading.Pool
{
    /// <summary>
    /// OS threads that pool workers run on, kept parked between calls, so that a call's workers wake threads an
    /// earlier call's workers left instead of waiting for new ones to start. A thread idle for half a minute ends.
    /// </summary>
    internal static class PoolThreads
    {
        // As many as the widest recent call parks: the call's next run finds them all.
        private static readonly ParkedThreads s_threads = new ParkedThreads("PSThreading pool", PipelineStack.Size, int.MaxValue, TimeSpan.FromSeconds(30));

        /// <summary>Pool OS threads alive now, parked or running work: what a leak check counts.</summary>
        internal static int LiveCount => s_threads.LiveCount;

        /// <summary>Runs <paramref name="work"/> on a parked thread, or on a new one when none is idle.</summary>
        public static void Run(Action work) => s_threads.Run(work);

        /// <summary>Ends every parked thread now (module removal); threads running work are left to finish it.</summary>
        public static int RetireIdle() => s_threads.RetireIdle();
    }
}

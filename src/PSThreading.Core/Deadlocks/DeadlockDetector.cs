using PSThreading.Core.Sync;

namespace PSThreading.Core.Deadlocks
{
    /// <summary>
    /// Decides, for an untimed wait that has been blocked a while, whether it must fail to break a deadlock.
    /// A cycle is reported only after two reads of the wait-for graph, one check interval apart, found it
    /// unchanged: heavy contention without a cycle never holds still long enough to be mistaken for one.
    /// </summary>
    internal static class DeadlockDetector
    {
        /// <summary>
        /// Returns the graph to confirm at the next look, or throws <see cref="DeadlockException"/> when
        /// <paramref name="suspect"/>, read at the previous look, is confirmed.
        /// </summary>
        public static WaitGraph? Look(ThreadWait wait, WaitGraph? suspect)
        {
            if (wait.IsTimed)
            {
                // A timed wait ends by itself: it is never the one failed, so it need not look.
                return null;
            }

            WaitGraph? graph = WaitGraph.ReadAround(wait);
            if (graph != null && suspect != null && graph.SameAs(suspect))
            {
                throw new DeadlockException(wait.Target as SyncPrimitive, graph.Cycle());
            }

            return graph;
        }
    }
}

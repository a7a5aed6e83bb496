namespace PSThreading.Core.Threads
{
    /// <summary>Where a thread is in its life. Running, Stopping and Scheduled count as alive.</summary>
    public enum WorkerState
    {
        Running,
        Stopping,
        Completed,
        Failed,
        Stopped,
        /// <summary>Started with a delay (Python's <c>threading.Timer</c>) that has not run out yet: the block has not begun.</summary>
        Scheduled,
    }

    /// <summary>What kind of thread an entry describes.</summary>
    public enum ThreadKind
    {
        /// <summary>The thread that first loaded the module: Python's MainThread.</summary>
        Main,
        /// <summary>A dedicated thread started for one block.</summary>
        Worker,
        /// <summary>A long-lived thread of a pool, running many items.</summary>
        PoolWorker,
        /// <summary>A thread this module did not start (Python's _DummyThread).</summary>
        Foreign,
    }
}

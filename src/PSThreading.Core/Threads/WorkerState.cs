namespace PSThreading.Core.Threads
{
    /// <summary>Where a thread is in its life. Running, Stopping, Scheduled and Blocked count as alive.</summary>
    public enum WorkerState
    {
        Running,
        Stopping,
        Completed,
        Failed,
        Stopped,
        /// <summary>Started with a delay (Python's <c>threading.Timer</c>) that has not run out yet: the block has not begun.</summary>
        Scheduled,
        /// <summary>
        /// Waiting for its joiner to answer a prompt (Read-Host, a confirmation, a credential): the prompt is shown
        /// by whoever waits for the thread, on that thread, so it never reads the console at once with PSReadLine.
        /// </summary>
        Blocked,
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

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// A thread body whose results are held outside the thread's own queue (an Invoke-ThreadPool -AsJob job's
    /// streams, which Receive-Job reads), and which the thread's joins read from there too: each result is read
    /// once, by whichever reader takes it first.
    /// </summary>
    internal interface IResultHolder
    {
        /// <summary>True when the holder took <paramref name="item"/>; false leaves it to the thread's own queue.</summary>
        bool TryHold(object item);

        /// <summary>The oldest held result that no reader has taken yet, in the order the results were written.</summary>
        bool TryTakeHeld(out object? item);

        /// <summary>Held results no reader has taken yet.</summary>
        int HeldCount { get; }

        /// <summary>
        /// On the thread as it ends with <paramref name="outcome"/>, before its state says so: whoever waits on the
        /// holder (a job's Wait-Job) sees the end no later than a join of the thread, and after a join returns
        /// the job's own state is final (Remove-Job refused a job a join had seen end). Must not throw.
        /// </summary>
        void ThreadEnded(WorkerState outcome);
    }
}

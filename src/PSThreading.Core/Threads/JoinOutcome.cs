namespace PSThreading.Core.Threads
{
    /// <summary>How a join's wait returned.</summary>
    internal enum JoinOutcome
    {
        /// <summary>The thread has ended.</summary>
        Ended,

        /// <summary>The timeout ran out with the thread still alive.</summary>
        TimedOut,

        /// <summary>The wake handle was signalled: the thread queued something while alive.</summary>
        Woken,
    }
}

using PSThreading.Core.Deadlocks;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// What a thread can be blocked on, as the wait-for graph sees it: something held by threads, free or not.
    /// A lock or semaphore is held by its holders; a thread being joined is held by itself until it ends.
    /// </summary>
    internal interface IWaitTarget
    {
        /// <summary>Who holds it, whether a waiter could go on now, and a version, read at one instant.</summary>
        LockState ReadState();
    }
}

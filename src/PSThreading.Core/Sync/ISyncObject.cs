namespace PSThreading.Core.Sync
{
    /// <summary>
    /// What every synchronisation object of the module is to its users: a name, whether it is a process-wide
    /// named one, and its kind in Python's words. Named objects of every kind share one namespace. Internal: users
    /// see these members on the objects themselves (locks and semaphores, events, conditions, barriers, queues).
    /// </summary>
    internal interface ISyncObject
    {
        /// <summary>The name given, or for an unnamed object one made up for messages (Event-1, Queue-2).</summary>
        string Name { get; }

        /// <summary>True for a process-wide named object; false for one made without a name.</summary>
        bool IsNamed { get; }

        /// <summary>Lock, RLock, Semaphore, Event, Condition, Barrier or Queue.</summary>
        string Kind { get; }
    }
}

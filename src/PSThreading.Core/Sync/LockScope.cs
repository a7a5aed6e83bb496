namespace PSThreading.Core.Sync
{
    /// <summary>Who a named lock excludes: the threads of this process, or every process of the machine for the same user.</summary>
    public enum LockScope
    {
        /// <summary>The threads and runspaces of this process (the default).</summary>
        Process,

        /// <summary>Every process of the machine run by the same user: a named mutex (see <see cref="MachineLockHolder"/>).</summary>
        Machine,
    }
}

using System.Collections.Generic;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Deadlocks
{
    /// <summary>A lock's holders, whether a waiter could take it, and its version, all read at one instant.</summary>
    internal sealed class LockState
    {
        internal LockState(IReadOnlyList<LockHolding> holdings, bool hasRoom, long version)
        {
            Holdings = holdings;
            HasRoom = hasRoom;
            Version = version;
        }

        public IReadOnlyList<LockHolding> Holdings { get; }

        public bool HasRoom { get; }

        /// <summary>Changes on every acquire and release: equal versions mean nothing changed in between.</summary>
        public long Version { get; }
    }
}

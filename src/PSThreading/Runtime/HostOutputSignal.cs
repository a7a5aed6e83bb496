using System;

namespace PSThreading.Runtime
{
    /// <summary>
    /// The object whose event a caller's runspace subscribes to with an action (see <see cref="LiveHostOutput"/>):
    /// raised from a worker's thread, it queues the action for the caller's own thread.
    /// </summary>
    internal sealed class HostOutputSignal
    {
        public event EventHandler? Raised;

        public void Raise() => Raised?.Invoke(this, EventArgs.Empty);
    }
}

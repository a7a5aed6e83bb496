using System.Threading;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// Halting a pool call: under -ErrorAction Stop the first failure ends the call, so no item may start
    /// after it, while what already runs ends and is written (or stopped by the caller) as usual.
    /// </summary>
    internal sealed partial class ThreadPoolScheduler
    {
        private bool _haltsOnFailure;
        private bool _halted;

        /// <summary>True once <see cref="Halt"/> ran: no item starts any more.</summary>
        public bool IsHalted => Volatile.Read(ref _halted);

        /// <summary>
        /// Set before the first item: the first item that fails or times out halts the call at once (see
        /// <see cref="Halt"/>), in the same lock that records the failure, so no worker takes an item after it.
        /// </summary>
        public bool HaltsOnFailure
        {
            get => Volatile.Read(ref _haltsOnFailure);
            set => Volatile.Write(ref _haltsOnFailure, value);
        }

        /// <summary>
        /// Stops handing out items, for good: the queued ones are dropped (they never ran, nothing reports them)
        /// and later ones are not queued; items already running end and are written as usual.
        /// </summary>
        public void Halt()
        {
            lock (_sync)
            {
                HaltUnderLock();
            }

            SetChanged();
        }

        /// <summary>Under _sync.</summary>
        private void HaltUnderLock()
        {
            if (_halted || _cancelled)
            {
                return;
            }

            Volatile.Write(ref _halted, true);
            // Fresh items hold the highest indexes: what is left of _added is exactly the items that started.
            // Items waiting to run again started: they end now with their last attempt's error.
            Interlocked.Add(ref _added, -_queued.FreshCount);
            FailRetriesUnderLock();
            _queued.Clear();
            Volatile.Write(ref _queuedCount, 0);
            _sleeping.WakeAll();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Threading;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// What a join waits on to hear that the threads it watches queued a result. The join owns it and disposes
    /// it, but the watched threads set it, from their own threads, at any time: a thread that read the list of
    /// listeners just before the join left may set it after. So a set and the disposal exclude each other, and
    /// a set after the disposal does nothing. Disposing the bare handle instead made the worker's own output
    /// statement fail with ObjectDisposedException (a polling Wait-WorkerThread -Timeout 0.001 under load).
    /// </summary>
    internal sealed class ResultArrivals : IDisposable
    {
        private readonly object _gate = new object();
        private readonly AutoResetEvent _arrived = new AutoResetEvent(false);
        private readonly List<WorkerThread> _watched = new List<WorkerThread>();
        private bool _disposed;

        /// <summary>Signalled once for any number of results queued since the last wait returned.</summary>
        public WaitHandle Handle => _arrived;

        /// <summary>Starts hearing from <paramref name="thread"/>: each result it queues sets <see cref="Handle"/>.</summary>
        public void Watch(WorkerThread thread)
        {
            thread.AddResultListener(this);
            _watched.Add(thread);
        }

        /// <summary>Called by a watched thread as it queues a result. Safe at any time, before or after <see cref="Dispose"/>.</summary>
        internal void Notify()
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    _arrived.Set();
                }
            }
        }

        public void Dispose()
        {
            foreach (WorkerThread thread in _watched)
            {
                thread.RemoveResultListener(this);
            }

            _watched.Clear();
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
            }

            // No Notify is inside the gate now, and none will touch the handle again.
            _arrived.Dispose();
        }
    }
}

using System.Threading;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// The stop of the item a long-lived thread (a pool worker) runs now, which that thread's blocking waits
    /// observe (<see cref="BlockingWait"/>). Stopping an item cancels that item's token only: the thread goes
    /// on with the next item, which gets a token of its own. The token is made when a wait first asks for it,
    /// and kept for the next item while nobody cancelled it: most items never block.
    /// </summary>
    internal sealed class ItemStop
    {
        private readonly object _sync = new object();
        private CancellationTokenSource? _source;
        private object? _item;
        private bool _itemStopped;
        private bool _allStopped;

        /// <summary>The token of the item running now.</summary>
        public CancellationToken Token
        {
            get
            {
                lock (_sync)
                {
                    if (_source == null)
                    {
                        _source = new CancellationTokenSource();
                        if (_itemStopped || _allStopped)
                        {
                            _source.Cancel();
                        }
                    }

                    return _source.Token;
                }
            }
        }

        /// <summary>The thread starts <paramref name="item"/>: the stop of an earlier item no longer applies.</summary>
        public void Begin(object item)
        {
            lock (_sync)
            {
                _item = item;
                _itemStopped = false;
                if (_source != null && _source.IsCancellationRequested && !_allStopped)
                {
                    _source = null;
                }
            }
        }

        /// <summary>Stops <paramref name="item"/> if it is still the one running.</summary>
        public void Stop(object item)
        {
            // Cancelled under the lock, so that the thread cannot have moved on to its next item meanwhile.
            lock (_sync)
            {
                if (ReferenceEquals(_item, item))
                {
                    _itemStopped = true;
                    _source?.Cancel();
                }
            }
        }

        /// <summary>Stops the item running now and every later one: the thread itself is stopping.</summary>
        public void StopAll()
        {
            lock (_sync)
            {
                _allStopped = true;
                _source?.Cancel();
            }
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Pool;

namespace PSThreading.Remote
{
    /// <summary>
    /// One Invoke-ThreadPool -Session call: the same scheduler the local pool uses (queue, order, item
    /// timeouts, results), with one worker per session instead of one per thread. A free session takes the
    /// next batch, so a fast node does more. -ThrottleLimit bounds the sessions busy at once.
    /// </summary>
    /// <remarks>
    /// A node lost mid-run gives its unfinished items back to the queue, once each: an item may run twice.
    /// While any batch runs, an idle worker waits rather than ends: a loss may still give it items.
    /// </remarks>
    internal sealed class RemotePool
    {
        private readonly List<RemoteSessionWorker> _workers = new List<RemoteSessionWorker>();
        private readonly SemaphoreSlim _busySessions;
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly object _sync = new object();
        private readonly Dictionary<PoolWorkItem, int> _losses = new Dictionary<PoolWorkItem, int>();
        private int _alive;
        private int _busy;
        private ErrorRecord? _beginFailure;
        private Exception? _workerFailure;
        private bool _started;

        public RemotePool(IReadOnlyList<RemoteNode> nodes, RemoteBatchScript script, RemoteSetup setup, int throttleLimit, int batchSize, bool ordered)
        {
            Nodes = nodes;
            Script = script;
            Setup = setup;
            BatchSize = batchSize;
            // Every session may hold a whole batch; the sessions busy at once are bounded by _busySessions.
            Scheduler = new ThreadPoolScheduler(Math.Max(1, nodes.Count * batchSize), ordered);
            _busySessions = new SemaphoreSlim(Math.Min(throttleLimit, nodes.Count));
        }

        public ThreadPoolScheduler Scheduler { get; }

        public IReadOnlyList<RemoteNode> Nodes { get; }

        public RemoteBatchScript Script { get; }

        public RemoteSetup Setup { get; }

        public int BatchSize { get; }

        /// <summary>Records the sessions wrote (errors, warnings, verbose, information) and -Begin output, in arrival order.</summary>
        public ConcurrentQueue<object> Records { get; } = new ConcurrentQueue<object>();

        /// <summary>What -End wrote on each session: written after the items' output.</summary>
        public ConcurrentQueue<PSObject> EndOutput { get; } = new ConcurrentQueue<PSObject>();

        public CancellationToken Token => _cancel.Token;

        public bool IsCancelled => _cancel.IsCancellationRequested;

        /// <summary>The first -Begin failure on any session: the call fails with PoolBeginFailed.</summary>
        public ErrorRecord? BeginFailure => Volatile.Read(ref _beginFailure);

        /// <summary>A worker's own failure (a bug, not the node's): the call fails with PoolWorkerFailed.</summary>
        public Exception? WorkerFailure => Volatile.Read(ref _workerFailure);

        /// <summary>Starts one worker per session, on the first item.</summary>
        public void EnsureStarted()
        {
            if (_started)
            {
                return;
            }

            _started = true;
            _alive = Nodes.Count;
            foreach (RemoteNode node in Nodes)
            {
                var worker = new RemoteSessionWorker(this, node);
                _workers.Add(worker);
                worker.Start();
            }
        }

        /// <summary>Waits for a session to be free to run a batch; false when the call is stopped.</summary>
        internal bool EnterBusy()
        {
            try
            {
                _busySessions.Wait(_cancel.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        internal void LeaveBusy() => _busySessions.Release();

        internal void BatchStarted() => Interlocked.Increment(ref _busy);

        internal void BatchEnded()
        {
            Interlocked.Decrement(ref _busy);
            lock (_sync)
            {
                Monitor.PulseAll(_sync);
            }
        }

        /// <summary>
        /// An idle worker found no item: true (after a short wait) while another session's batch runs, whose loss
        /// could still give items back to the queue; false when the worker may end.
        /// </summary>
        internal bool WaitForPossibleRequeue()
        {
            lock (_sync)
            {
                if (Volatile.Read(ref _busy) == 0 || IsCancelled)
                {
                    return false;
                }

                Monitor.Wait(_sync, 200);
                return !IsCancelled;
            }
        }

        /// <summary>
        /// An item whose session was lost: back to the queue the first time, failed with RemoteSessionLost the
        /// second. Its output so far is dropped: only a run that ends is written.
        /// </summary>
        internal void GiveBack(PoolWorkItem item, RemoteNode node, Exception? reason)
        {
            while (item.TryTakeStreamed(out _))
            {
            }

            int losses;
            lock (_sync)
            {
                _losses.TryGetValue(item, out losses);
                _losses[item] = ++losses;
            }

            if (losses >= 2)
            {
                Scheduler.Fail(item, RemoteErrors.LostTwice(item, node, reason));
            }
            else if (!Scheduler.Requeue(item))
            {
                // Timed out meanwhile, or the call is over: only its slot is given back.
                Scheduler.EndStopped(item, null);
            }
        }

        /// <summary>A session was lost: one warning names it. Returns true when it was the last one: its worker fails what is left.</summary>
        internal bool Lose(RemoteNode node, int givenBack, Exception? reason)
        {
            bool last = Interlocked.Decrement(ref _alive) == 0;
            string message = $"[{node.ComputerName}] The session to {node.ComputerName} (session {node.Session.Id}) was lost: {RemoteErrors.Reason(reason)} " + (last
                ? "No session is left: the items not yet run fail with RemoteSessionLost."
                : $"Its {givenBack} unfinished item(s) run again on the other sessions.");
            Records.Enqueue(new WarningRecord(message));
            Scheduler.Signal();
            lock (_sync)
            {
                Monitor.PulseAll(_sync);
            }

            return last;
        }

        /// <summary>A worker that ended without its node being lost.</summary>
        internal void Retire() => Interlocked.Decrement(ref _alive);

        internal void FailBegin(ErrorRecord failure)
        {
            Interlocked.CompareExchange(ref _beginFailure, failure, null);
            Scheduler.Signal();
        }

        internal void FailWorker(Exception failure)
        {
            Interlocked.CompareExchange(ref _workerFailure, failure, null);
            Scheduler.Signal();
        }

        /// <summary>Stops the items whose item timeout passed: their batches end; the rest of those batches runs again.</summary>
        public void StopItems(IReadOnlyList<PoolWorkItem> items)
        {
            foreach (PoolWorkItem item in items)
            {
                foreach (RemoteSessionWorker worker in _workers)
                {
                    if (worker.Node.Index == item.WorkerIndex)
                    {
                        worker.StopBatch();
                    }
                }
            }
        }

        /// <summary>
        /// Stops the call: nothing more is taken, each session's running pipeline is stopped (the sessions stay
        /// open). -End still runs for <paramref name="endGrace"/> at most. Waits up to <paramref name="wait"/>.
        /// </summary>
        public bool Stop(TimeSpan wait, TimeSpan endGrace)
        {
            Scheduler.Cancel();
            _cancel.Cancel();
            lock (_sync)
            {
                Monitor.PulseAll(_sync);
            }

            foreach (RemoteSessionWorker worker in _workers)
            {
                worker.StopForGood(endGrace);
            }

            return WaitForWorkers(wait);
        }

        /// <summary>Waits for every worker to end, up to <paramref name="wait"/> in all.</summary>
        public bool WaitForWorkers(TimeSpan wait)
        {
            var watch = Stopwatch.StartNew();
            foreach (RemoteSessionWorker worker in _workers)
            {
                TimeSpan left = wait - watch.Elapsed;
                if (!worker.WaitEnded(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The sessions whose worker has not ended: after a stop, those whose node did not answer the stop.</summary>
        public IReadOnlyList<RemoteNode> StillRunning()
        {
            var running = new List<RemoteNode>();
            foreach (RemoteSessionWorker worker in _workers)
            {
                if (!worker.WaitEnded(TimeSpan.Zero))
                {
                    running.Add(worker.Node);
                }
            }

            return running;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Values;

namespace PSThreading.Remote
{
    /// <summary>
    /// The thread that feeds one session: sets it up (-Module, -Function, -Begin), then takes batch after batch
    /// from the call's scheduler while the session is free, and runs -End after the last. Nothing here writes to
    /// the pipeline: output waits in the items, records in the pool's queue.
    /// </summary>
    internal sealed partial class RemoteSessionWorker : IRemoteBatchSink
    {
        private readonly RemotePool _pool;
        private readonly RemoteBatchRunner _runner;
        private readonly ManualResetEventSlim _ended = new ManualResetEventSlim(false);
        private readonly object _sync = new object();
        private Thread? _thread;
        private List<PoolWorkItem>? _batch;
        private int _endedInBatch;
        private TimeSpan? _endGrace;
        private Timer? _endTimer;

        public RemoteSessionWorker(RemotePool pool, RemoteNode node)
        {
            _pool = pool;
            Node = node;
            _runner = new RemoteBatchRunner(node);
        }

        public RemoteNode Node { get; }

        public void Start()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "PSThreading remote " + Node.ComputerName };
            _thread.Start();
        }

        public bool WaitEnded(TimeSpan wait) => _ended.Wait(wait);

        /// <summary>An item of the running batch timed out: the batch is stopped, its other unfinished items queued again.</summary>
        public void StopBatch() => _runner.Stop();

        /// <summary>The call is over: stops what runs; -End may run for <paramref name="endGrace"/> (zero: not at all).</summary>
        public void StopForGood(TimeSpan endGrace)
        {
            lock (_sync)
            {
                _endGrace = endGrace;
            }

            _runner.Stop();
        }

        private ThreadPoolScheduler Scheduler => _pool.Scheduler;

        private void Run()
        {
            bool lost = false;
            try
            {
                string? missingModule = null;
                string? reason = null;
                RemoteOutcome setup = Prepare(ref missingModule, ref reason);
                if (setup == RemoteOutcome.Lost)
                {
                    lost = true;
                    if (_pool.Lose(Node, 0, _runner.Failure))
                    {
                        FailWhatIsLeft(item => RemoteErrors.NoSessionLeft(item, Node));
                    }

                    return;
                }

                if (setup != RemoteOutcome.Finished)
                {
                    return;
                }

                if (missingModule != null)
                {
                    // The contract: that session's items fail, naming the node and the module; the others go on.
                    FailWhatIsLeft(item => RemoteErrors.ModuleMissing(item, Node, missingModule, reason!), untilCancelled: true);
                    return;
                }

                lost = RunBatches();
                if (!lost)
                {
                    RunEnd();
                }
            }
            catch (Exception ex)
            {
                _pool.FailWorker(ex);
            }
            finally
            {
                if (!lost)
                {
                    _pool.Retire();
                }

                _endTimer?.Dispose();
                _ended.Set();
                Scheduler.Signal();
            }
        }

        /// <summary>Batch after batch while items come. True when the node was lost.</summary>
        private bool RunBatches()
        {
            while (true)
            {
                if (!_pool.EnterBusy())
                {
                    return false;
                }

                RemoteOutcome outcome;
                List<PoolWorkItem>? batch = null;
                bool counted = false;
                bool last = false;
                try
                {
                    PoolWorkItem? first = Scheduler.TakeNext(Node.Index, _pool.Token);
                    if (first == null)
                    {
                        _pool.LeaveBusy();
                        if (_pool.WaitForPossibleRequeue())
                        {
                            continue;
                        }

                        return false;
                    }

                    _pool.BatchStarted();
                    counted = true;
                    batch = new List<PoolWorkItem> { first };
                    while (batch.Count < _pool.BatchSize)
                    {
                        PoolWorkItem? next = Scheduler.TryTakeQueued(Node.Index);
                        if (next == null)
                        {
                            break;
                        }

                        batch.Add(next);
                    }

                    outcome = RunBatch(batch);
                    if (outcome == RemoteOutcome.Lost)
                    {
                        int givenBack = 0;
                        for (int i = _endedInBatch; i < batch.Count; i++)
                        {
                            _pool.GiveBack(batch[i], Node, _runner.Failure);
                            givenBack++;
                        }

                        last = _pool.Lose(Node, givenBack, _runner.Failure);
                    }
                }
                finally
                {
                    if (counted)
                    {
                        _pool.LeaveBusy();
                        _pool.BatchEnded();
                    }
                }

                if (outcome == RemoteOutcome.Lost)
                {
                    if (last)
                    {
                        // Out of the busy count first: the wait for possible requeues must not wait for this batch.
                        FailWhatIsLeft(item => RemoteErrors.NoSessionLeft(item, Node));
                    }

                    return true;
                }
            }
        }

        private RemoteOutcome RunBatch(List<PoolWorkItem> batch)
        {
            var inputs = new List<object?>(batch.Count);
            foreach (PoolWorkItem item in batch)
            {
                inputs.Add(item.Input);
            }

            lock (_sync)
            {
                _batch = batch;
                _endedInBatch = 0;
            }

            Scheduler.RestartClock(batch[0]);
            for (int i = 1; i < batch.Count; i++)
            {
                Scheduler.PauseClock(batch[i]);
            }

            RemoteOutcome outcome = _runner.RunBatch(inputs, batch.ConvertAll(i => i.Attempt), _pool.Script, this);
            lock (_sync)
            {
                _batch = null;
            }

            if (outcome == RemoteOutcome.Lost)
            {
                return outcome;
            }

            for (int i = _endedInBatch; i < batch.Count; i++)
            {
                PoolWorkItem item = batch[i];
                if (outcome == RemoteOutcome.Failed)
                {
                    Scheduler.Fail(item, RemoteErrors.ScriptFailed(item, Node, _runner.Failure));
                }
                else if (_pool.IsCancelled || item.State != PoolItemState.Running)
                {
                    // Timed out (reported already) or the call was stopped: the slot is all that is left.
                    while (item.TryTakeStreamed(out _))
                    {
                    }

                    Scheduler.EndStopped(item, null);
                }
                else
                {
                    // Stopped for another item's timeout: it never started, or did not finish; it runs again.
                    while (item.TryTakeStreamed(out _))
                    {
                    }

                    if (!Scheduler.Requeue(item))
                    {
                        Scheduler.EndStopped(item, null);
                    }
                }
            }

            if (outcome == RemoteOutcome.Stopped && !_pool.IsCancelled)
            {
                _runner.ClearStop();
            }

            return outcome;
        }

        /// <summary>Fails every item this worker can still take: no session is left, or its node lacks a module.</summary>
        private void FailWhatIsLeft(Func<PoolWorkItem, ErrorRecord> error, bool untilCancelled = false)
        {
            while (true)
            {
                PoolWorkItem? item = Scheduler.TakeNext(Node.Index, _pool.Token);
                if (item == null)
                {
                    if (!untilCancelled && _pool.WaitForPossibleRequeue())
                    {
                        continue;
                    }

                    return;
                }

                Scheduler.Fail(item, error(item));
            }
        }

        private void QueueRecord(object record)
        {
            _pool.Records.Enqueue(RemoteRecords.Record(record, Node));
            Scheduler.Signal();
        }

        void IRemoteBatchSink.Output(int position, PSObject value)
        {
            PoolWorkItem? item = ItemAt(position);
            item?.AddStreamed(value);
        }

        void IRemoteBatchSink.Record(int position, object record)
        {
            _pool.Records.Enqueue(record);
            Scheduler.Signal();
        }

        void IRemoteBatchSink.ItemEnded(int position, ErrorRecord? error)
        {
            PoolWorkItem? item = ItemAt(position);
            if (item == null)
            {
                return;
            }

            PoolWorkItem? next;
            lock (_sync)
            {
                _endedInBatch = position + 1;
                next = _batch != null && position + 1 < _batch.Count ? _batch[position + 1] : null;
            }

            if (next != null)
            {
                Scheduler.RestartClock(next);
            }

            if (error == null)
            {
                Scheduler.Complete(item, null);
            }
            else
            {
                Scheduler.Fail(item, error);
            }
        }

        private PoolWorkItem? ItemAt(int position)
        {
            lock (_sync)
            {
                return _batch != null && position >= 0 && position < _batch.Count ? _batch[position] : null;
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Pool
{
    /// <summary>
    /// The bookkeeping of one pool call, free of PowerShell: a queue that workers take items from, a throttle
    /// that never lets more than <see cref="ThrottleLimit"/> items run at once, the results waiting to be
    /// written (in input order under <c>ordered</c>), item timeouts and cancellation.
    /// </summary>
    /// <remarks>
    /// Input streams in: the total is known only after <see cref="CompleteAdding"/>. Memory stays bounded
    /// because the caller adds only while <see cref="HasRoom"/>: at most <see cref="MaxInFlight"/> items are
    /// queued, running or finished but not yet taken for writing.
    /// </remarks>
    internal sealed partial class ThreadPoolScheduler
    {
        // A few dozen microseconds of spinning and yielding before a worker sleeps: tiny items streaming in
        // are caught without a sleep and a wake-up per item.
        private const int SpinsBeforeBlocking = 20;

        private readonly object _sync = new object();
        // Set again by SetLimits (ThreadPoolScheduler.Limits.cs) for a call with a per-key throttle.
        private PoolQueue _queued = new PoolQueue(keyLimit: 0);
        private readonly List<PoolWorkItem> _running = new List<PoolWorkItem>();
        private readonly Queue<PoolWorkItem>? _finished;
        private readonly OrderedResultBuffer<PoolWorkItem>? _ordered;
        // Wakes the writer (the cmdlet's pipeline thread) when a result arrives or a worker ends.
        private readonly ManualResetEventSlim _changed = new ManualResetEventSlim(false);
        private readonly SleepingWorkers _sleeping = new SleepingWorkers();
        private long _added;
        private long _taken;
        private int _finishedCount;
        private int _runningCount;
        private int _peakRunning;
        // Workers spinning outside the lock for the next item: each looks at the queue again before it sleeps.
        private int _spinningWorkers;
        // _queued.Count, readable without the lock by spinning workers.
        private int _queuedCount;
        private bool _addingCompleted;
        private bool _writerWantsSignal = true;
        // Set by a worker that streamed output or a record, cleared by the writer before it writes them.
        private int _streamPending;
        // Under ordered: the position of the next result to write, readable without the lock by workers.
        private long _nextToWrite;
        private bool _cancelled;
        // Changes whenever an item starts or ends or a result is taken: what the caller's wait-for graph compares.
        private long _version;

        public ThreadPoolScheduler(int throttleLimit, bool ordered, int maxInFlight = 4096)
        {
            if (throttleLimit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(throttleLimit), throttleLimit, "The throttle limit must be 1 or more.");
            }

            if (maxInFlight < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(maxInFlight), maxInFlight, "At least one item must be allowed in flight.");
            }

            ThrottleLimit = throttleLimit;
            MaxInFlight = maxInFlight;
            if (ordered)
            {
                _ordered = new OrderedResultBuffer<PoolWorkItem>();
            }
            else
            {
                _finished = new Queue<PoolWorkItem>();
            }
        }

        public int ThrottleLimit { get; }

        public int MaxInFlight { get; }

        /// <summary>True when results are written in input order.</summary>
        public bool IsOrdered => _ordered != null;

        /// <summary>Items added so far.</summary>
        public long AddedCount => Interlocked.Read(ref _added);

        /// <summary>The number of items, once the input has ended; null while it streams.</summary>
        public long? TotalCount
        {
            get
            {
                lock (_sync)
                {
                    return _addingCompleted ? _added : (long?)null;
                }
            }
        }

        /// <summary>Items that have finished, whatever the outcome: what progress counts as done.</summary>
        public int FinishedCount => Volatile.Read(ref _finishedCount);

        /// <summary>Results taken for writing.</summary>
        public long TakenCount => Interlocked.Read(ref _taken);

        /// <summary>Items whose code is running now (a timed-out item counts until its worker lets go of it).</summary>
        public int RunningCount => Volatile.Read(ref _runningCount);

        /// <summary>The most items that ever ran at once: never above <see cref="ThrottleLimit"/>.</summary>
        public int PeakRunningCount => Volatile.Read(ref _peakRunning);

        /// <summary>Items queued and not yet taken by a worker.</summary>
        public int QueuedCount => Volatile.Read(ref _queuedCount);

        /// <summary>Results held because an earlier item has not finished (ordered calls only).</summary>
        public int HeldForOrderCount
        {
            get
            {
                lock (_sync)
                {
                    return _ordered?.WaitingCount ?? 0;
                }
            }
        }

        public bool IsCancelled => Volatile.Read(ref _cancelled);

        /// <summary>Workers asleep in <see cref="TakeNext"/>: what a test waits for before it moves on.</summary>
        internal int SleepingWorkerCount
        {
            get
            {
                lock (_sync)
                {
                    return _sleeping.Count;
                }
            }
        }

        /// <summary>True while another item may be added without passing the in-flight bound.</summary>
        public bool HasRoom => Interlocked.Read(ref _added) - Interlocked.Read(ref _taken) < MaxInFlight;

        /// <summary>True once the input has ended (or the call halted) and every result has been taken, or the call was cancelled.</summary>
        public bool IsDone
        {
            get
            {
                lock (_sync)
                {
                    // A halt drops the queued items from _added: what started is all there is to take.
                    return _cancelled || ((_addingCompleted || _halted) && _taken == _added);
                }
            }
        }

        /// <summary>True while queued items wait and the call goes on: a worker that ended early is needed again.</summary>
        public bool HasQueuedWork
        {
            get
            {
                lock (_sync)
                {
                    return !_cancelled && !_halted && _queued.Count > 0;
                }
            }
        }

        /// <summary>Adds one input item. Check <see cref="HasRoom"/> first to keep memory bounded.</summary>
        public PoolWorkItem Add(object? input)
        {
            lock (_sync)
            {
                PoolWorkItem item = NewItem(input);
                if (_cancelled || _halted)
                {
                    return item;
                }

                item.QueuedTimestamp = Stopwatch.GetTimestamp();
                _queued.Enqueue(item);
                Volatile.Write(ref _queuedCount, _queued.Count);
                Interlocked.Increment(ref _added);
                // A spinning worker takes the item without a wake-up (a context switch, more than a tiny item
                // costs); a sleeping one is woken only while this item could start now, not behind a full throttle.
                if (_queued.Count > _spinningWorkers && (_queued.Count <= ThrottleLimit - _runningCount || (_queued.IsKeyed && _runningCount < ThrottleLimit)))
                {
                    _sleeping.WakeOne();
                }

                return item;
            }
        }

        /// <summary>
        /// Adds an item that is reported timed out at once and never runs: what an item timeout of zero gives
        /// every item. It keeps its place in the input order.
        /// </summary>
        public PoolWorkItem AddTimedOut(object? input)
        {
            bool writerHasNewWork;
            PoolWorkItem item;
            lock (_sync)
            {
                item = NewItem(input);
                if (_cancelled || _halted)
                {
                    return item;
                }

                item.TimeOutUnstarted();
                Interlocked.Increment(ref _added);
                writerHasNewWork = Publish(item);
            }

            if (writerHasNewWork)
            {
                SetChanged();
            }

            return item;
        }

        /// <summary>Ends the input: the total is known, and workers stop once the queue is empty.</summary>
        public void CompleteAdding()
        {
            lock (_sync)
            {
                Volatile.Write(ref _addingCompleted, true);
                _sleeping.WakeAll();
            }

            SetChanged();
        }

        /// <summary>
        /// Called by a worker for its next item: blocks until one is queued and the throttle has a free slot.
        /// Returns null when there is no more work (input ended and queue empty, cancelled, or
        /// <paramref name="cancellationToken"/> cancelled).
        /// </summary>
        public PoolWorkItem? TakeNext(int workerIndex, CancellationToken cancellationToken)
        {
            var spinner = new SpinWait();
            bool spun = false;
            while (true)
            {
                SleepingWorkers.Sleeper? sleeper = null;
                long wakeAt = long.MaxValue;
                lock (_sync)
                {
                    if (spun)
                    {
                        // Counted off here, not in a lock of its own after the spin: one lock per item.
                        _spinningWorkers--;
                        spun = false;
                    }

                    if (_cancelled || _halted || cancellationToken.IsCancellationRequested)
                    {
                        if (!_cancelled && !_halted && _queued.Count > 0 && _runningCount < ThrottleLimit)
                        {
                            // This worker may have been the one woken for a queued item: pass the wake-up on.
                            _sleeping.WakeOne();
                        }

                        return null;
                    }

                    long lookAgainAt = long.MaxValue;
                    if (_queued.Count > 0 && _runningCount < ThrottleLimit)
                    {
                        // A rate, a retry's time or a key may hold the items back (see ThreadPoolScheduler.Limits.cs).
                        PoolWorkItem? startable = TakeStartable(out lookAgainAt);
                        if (startable != null)
                        {
                            return Start(startable, workerIndex);
                        }
                    }

                    if (_queued.Count == 0 && _addingCompleted)
                    {
                        return null;
                    }

                    if (lookAgainAt != long.MaxValue)
                    {
                        // Only time lets the next item start: one worker sleeps until then, the others until woken.
                        sleeper = _sleeping.Add();
                        if (!_timedWaiter)
                        {
                            _timedWaiter = true;
                            wakeAt = lookAgainAt;
                        }
                    }
                    else if (spinner.Count >= SpinsBeforeBlocking)
                    {
                        sleeper = _sleeping.Add();
                    }
                    else
                    {
                        _spinningWorkers++;
                        spun = true;
                    }
                }

                if (sleeper != null)
                {
                    // Woken by Add (a new item it may start), End (a throttle slot freed), CompleteAdding, Cancel
                    // or its own token: never by a timer, so an idle pool costs nothing.
                    sleeper.Sleep(cancellationToken, wakeAt);
                    lock (_sync)
                    {
                        _sleeping.Remove(sleeper);
                        if (wakeAt != long.MaxValue)
                        {
                            _timedWaiter = false;
                        }
                    }

                    continue;
                }

                // Tiny items stream in every few microseconds: a short spin outside the lock catches the next
                // one without a sleep and a wake-up (a context switch each) per item. The spin reads a count,
                // not the lock, so it does not slow the thread adding items.
                // At least one spin per pass: a worker held back by a full throttle after the input ended must
                // count its way to sleep, not take the lock again and again at full speed.
                int queuedBefore = Volatile.Read(ref _queuedCount);
                do
                {
                    spinner.SpinOnce();
                }
                while (spinner.Count < SpinsBeforeBlocking && Volatile.Read(ref _queuedCount) == queuedBefore
                    && !Volatile.Read(ref _addingCompleted) && !Volatile.Read(ref _cancelled) && !Volatile.Read(ref _halted));
            }
        }

        /// <summary>A worker reports that the item ran to its end. False when it had been reported timed out.</summary>
        public bool Complete(PoolWorkItem item, object? output) => End(item, PoolItemState.Completed, output, null);

        /// <summary>A worker reports that the item failed. False when it had been reported timed out.</summary>
        public bool Fail(PoolWorkItem item, object? error) => End(item, PoolItemState.Failed, null, error, DecideRetry(item, error));

        /// <summary>
        /// A worker stopped in the middle of the item (its pipeline was stopped): frees the slot; an item not
        /// already reported timed out fails with <paramref name="error"/>.
        /// </summary>
        public void EndStopped(PoolWorkItem item, object? error) => End(item, PoolItemState.Failed, null, error);

        /// <summary>Stops the call: queued items are dropped and waiting workers return null at once.</summary>
        public void Cancel()
        {
            lock (_sync)
            {
                Volatile.Write(ref _cancelled, true);
                _version++;
                _queued.Clear();
                Volatile.Write(ref _queuedCount, 0);
                _sleeping.WakeAll();
            }

            SetChanged();
        }


        private bool End(PoolWorkItem item, PoolItemState outcome, object? output, object? error, RetryDecision? retry = null)
        {
            bool ended;
            bool writerHasNewWork = false;
            lock (_sync)
            {
                if (item.HoldsSlot)
                {
                    item.HoldsSlot = false;
                    CountStartAtEnd(item);
                    _running.Remove(item);
                    // A freed key lets an item of that key start (see PoolQueue).
                    bool keyFreed = _queued.Ended(item);
                    // Only a worker held back by a full throttle needs waking; an idle one would find nothing.
                    if ((_runningCount-- == ThrottleLimit || keyFreed) && _queued.Count > 0)
                    {
                        _sleeping.WakeOne();
                    }
                }

                _version++;
                if (retry.HasValue && TryRequeueUnderLock(item, error, retry.Value))
                {
                    return true;
                }

                ended = item.TryEnd(outcome, output, error);
                if (ended && outcome == PoolItemState.Failed && _haltsOnFailure)
                {
                    HaltUnderLock();
                }

                if (ended && !_cancelled)
                {
                    writerHasNewWork = Publish(item);
                }
            }

            if (writerHasNewWork)
            {
                SetChanged();
            }

            return ended;
        }

        /// <summary>Under _sync.</summary>
        private PoolWorkItem NewItem(object? input)
        {
            if (_addingCompleted)
            {
                throw new InvalidOperationException("The input of this pool call has already ended.");
            }

            return new PoolWorkItem(_added, input);
        }

        /// <summary>Under _sync: hands a queued item to a worker.</summary>
        private PoolWorkItem Start(PoolWorkItem item, int workerIndex)
        {
            Volatile.Write(ref _queuedCount, _queued.Count);
            item.WorkerIndex = workerIndex;
            item.StartedTimestamp = Stopwatch.GetTimestamp();
            item.HoldsSlot = true;
            // On the worker's thread: the thread a caller waiting for this item waits for.
            item.RunBy = ThreadRegistry.Current;
            _version++;
            item.Attempt++;
            item.CountsFromEnd = IsFirstOnItsThread(item);
            _queued.Started(item);
            item.MarkRunning();
            _running.Add(item);
            _runningCount++;
            if (_addingCompleted && _queued.Count == 0)
            {
                // The last item is taken: a worker asleep behind the full throttle (woken by CompleteAdding but
                // back asleep since) would otherwise wait for a slot no item will ever need, and never end.
                _sleeping.WakeAll();
            }

            if (_runningCount > _peakRunning)
            {
                _peakRunning = _runningCount;
            }

            PassOnTimedWait();
            return item;
        }
    }
}

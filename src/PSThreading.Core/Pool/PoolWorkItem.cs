using System.Collections.Concurrent;
using System.Threading;

namespace PSThreading.Core.Pool
{
    /// <summary>Where one item of a pool call is. Only Queued and Running are unfinished.</summary>
    internal enum PoolItemState
    {
        Queued,
        Running,
        Completed,
        Failed,
        TimedOut,
    }

    /// <summary>
    /// One input of a pool call and what became of it. The core treats input, output and error as opaque:
    /// the module puts PowerShell objects there.
    /// </summary>
    internal sealed class PoolWorkItem
    {
        private int _state;
        // Made by the one worker that runs the item, on its first output; read by the writer.
        private ConcurrentQueue<object?>? _streamed;

        internal PoolWorkItem(long index, object? input)
        {
            Index = index;
            Input = input;
        }

        /// <summary>The item's position in the input, from 0.</summary>
        public long Index { get; }

        public object? Input { get; }

        public PoolItemState State => (PoolItemState)Volatile.Read(ref _state);

        /// <summary>What the item produced, when Completed.</summary>
        public object? Output { get; private set; }

        /// <summary>Why the item failed, when Failed.</summary>
        public object? Error { get; private set; }

        /// <summary>The worker that took the item; -1 while queued.</summary>
        public int WorkerIndex { get; internal set; } = -1;

        /// <summary>When the item was queued, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
        internal long QueuedTimestamp { get; set; }

        /// <summary>When the item started, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
        internal long StartedTimestamp { get; set; }

        /// <summary>The thread that took the item: what a caller waiting for the item waits for.</summary>
        internal Threads.WorkerThread? RunBy { get; set; }

        /// <summary>The attempt running or last run, from 1; 0 before the first start.</summary>
        public int Attempt { get; internal set; }

        /// <summary>The per-key throttle's key (-ThrottleKey); null when the call has none.</summary>
        public string? Key { get; internal set; }

        /// <summary>The rate's permit of the attempt running now (see ThreadPoolScheduler.MarkCodeStarting); null without a rate.</summary>
        internal RateLimits.StartEntry? RatePermit;

        /// <summary>Under a rate: the attempt's start counts from its end (its thread's first item).</summary>
        internal bool CountsFromEnd { get; set; }

        /// <summary>When a retried item may run again, in Stopwatch ticks.</summary>
        internal long RetryDueAt { get; set; }

        /// <summary>The error of the last failed attempt while the item waits to run again.</summary>
        internal object? RetryError { get; private set; }

        /// <summary>True while a worker still runs the item's code, even after it was reported timed out.</summary>
        internal bool HoldsSlot { get; set; }

        /// <summary>
        /// Keeps a value the item wrote while it runs, for the writer to take as soon as the item's turn comes
        /// (under ordered: once every earlier item is written). Called only by the worker running the item.
        /// </summary>
        internal void AddStreamed(object? value)
        {
            ConcurrentQueue<object?>? streamed = Volatile.Read(ref _streamed);
            if (streamed == null)
            {
                streamed = new ConcurrentQueue<object?>();
                Volatile.Write(ref _streamed, streamed);
            }

            streamed.Enqueue(value);
        }

        /// <summary>Takes the next value kept by <see cref="AddStreamed"/>, oldest first.</summary>
        public bool TryTakeStreamed(out object? value)
        {
            ConcurrentQueue<object?>? streamed = Volatile.Read(ref _streamed);
            if (streamed == null)
            {
                value = null;
                return false;
            }

            return streamed.TryDequeue(out value);
        }

        internal void MarkRunning() => Volatile.Write(ref _state, (int)PoolItemState.Running);

        /// <summary>
        /// A failed attempt that will run again: queued once more, what it wrote to its output dropped (only the
        /// attempt that succeeds is written). False when the item had already ended (timed out first).
        /// </summary>
        internal bool TryRequeue(object? error)
        {
            if (Interlocked.CompareExchange(ref _state, (int)PoolItemState.Queued, (int)PoolItemState.Running) != (int)PoolItemState.Running)
            {
                return false;
            }

            RetryError = error;
            ConcurrentQueue<object?>? streamed = Volatile.Read(ref _streamed);
            while (streamed != null && streamed.TryDequeue(out _))
            {
            }

            return true;
        }

        /// <summary>A queued retry that the call will never run (it halted): it fails with its last attempt's error.</summary>
        internal void FailQueuedRetry()
        {
            if (Interlocked.CompareExchange(ref _state, (int)PoolItemState.Failed, (int)PoolItemState.Queued) == (int)PoolItemState.Queued)
            {
                Error = RetryError;
            }
        }

        /// <summary>A running item whose worker was lost goes back to the queue. False when it had already ended.</summary>
        internal bool TryRequeue() => TryRequeue(RetryError);

        /// <summary>A queued item that is given no time at all: timed out without running.</summary>
        internal void TimeOutUnstarted() => Volatile.Write(ref _state, (int)PoolItemState.TimedOut);

        /// <summary>Moves a running item to its outcome. False when it had already ended (timed out first).</summary>
        internal bool TryEnd(PoolItemState outcome, object? output, object? error)
        {
            if (Interlocked.CompareExchange(ref _state, (int)outcome, (int)PoolItemState.Running) != (int)PoolItemState.Running)
            {
                return false;
            }

            Output = output;
            Error = error;
            return true;
        }

        public override string ToString() => $"#{Index} {State}";
    }
}

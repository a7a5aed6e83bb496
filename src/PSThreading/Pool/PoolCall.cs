using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Hosts;
using PSThreading.Processes;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>
    /// One Invoke-ThreadPool call: its scheduler, its own workers (no queue shared across calls, so a pool
    /// inside an item never waits for its parent's workers) and the stream records they queue for the cmdlet.
    /// </summary>
    internal sealed class PoolCall
    {
        // A worker that dies this many times is not started again: the call fails instead of looping. A worker
        // ended by Stop-WorkerThread did not die: the user asked, and the call replaces it as often as asked.
        private const int MaxEndsPerSlot = 3;

        // As long as PoolThreads keeps a parked thread: a warm worker is a thread and a runspace.
        private static readonly TimeSpan s_warmLifetime = TimeSpan.FromSeconds(30);

        /// <summary>The name pool runspaces carry in Get-Runspace.</summary>
        public const string RunspaceName = "PSThreadingPool";

        // Keeping more idle runspaces than this would hold memory for a peak that may not come back.
        private const int MaxWarmRunspaces = 32;

        private static readonly TimeSpan s_rampDelay = TimeSpan.FromMilliseconds(2);
        // The wait check takes the scheduler's lock: at most every quarter millisecond, not for every item.
        private static readonly long s_waitCheckInterval = Stopwatch.Frequency / 4000;

        private readonly List<IPoolWorker> _workers = new List<IPoolWorker>();
        private long _lastWaitCheck;
        private int _endedWorkers;
        // One count per worker slot started, grown with _workers: sized by the throttle, -ThrottleLimit
        // ([int]::MaxValue) allocated 8 GB before any item ran (OutOfMemoryException).
        private readonly List<int> _unaskedEndsPerSlot = new List<int>();
        private readonly string _prefix = ThreadRegistry.NextPoolPrefix();
        private readonly CallerContext _caller;
        private readonly IReadOnlyList<KeyValuePair<string, object?>> _preferenceOverrides;
        private PoolBeginException? _beginFailure;
        private string? _loopBlockText;

        public PoolCall(
            WorkerScript script,
            string loopScript,
            object[]? arguments,
            CallerContext caller,
            IReadOnlyList<KeyValuePair<string, object?>> preferenceOverrides,
            int throttleLimit,
            bool ordered,
            bool useNewRunspace = false,
            PoolSetup? setup = null)
        {
            Setup = setup ?? PoolSetup.None;
            Script = script;
            LoopScript = loopScript;
            Arguments = arguments ?? Array.Empty<object>();
            _caller = caller;
            _preferenceOverrides = preferenceOverrides;
            UseNewRunspace = useNewRunspace;
            Scheduler = new ThreadPoolScheduler(throttleLimit, ordered);
            WarmRunspaceCount = Math.Min(throttleLimit, MaxWarmRunspaces);
            RunspaceCache.KeepIdleFor(PoolWorkerHost.Instance, caller.LanguageMode, s_warmLifetime);
        }

        public ThreadPoolScheduler Scheduler { get; }

        /// <summary>-Isolation: the items run in runspaces of this process, or in warm child processes (see PSThreading.Processes).</summary>
        public ThreadIsolation Isolation { get; set; }

        public WorkerScript Script { get; }

        /// <summary>The block's text as the loop script calls it: marked to tell when an item's code ran to its end.</summary>
        public string LoopBlockText => _loopBlockText ??= PoolLoopScript.MarkReturn(Script.Text);

        /// <summary>-Begin, -End, -Function, -Module: what each worker does around its items.</summary>
        public PoolSetup Setup { get; }

        /// <summary>What each worker runs: see <see cref="PoolLoopScript"/>.</summary>
        public string LoopScript { get; }

        public object[] Arguments { get; }

        /// <summary>The mode the items run in: the caller's.</summary>
        public PSLanguageMode LanguageMode => _caller.LanguageMode;

        /// <summary>The caller's file-system location, where every item starts; null when it has none.</summary>
        public string? CallerLocation => _caller.Location;

        /// <summary>-UseNewRunspace: every item gets a runspace as clean as a new one.</summary>
        public bool UseNewRunspace { get; }

        /// <summary>
        /// True when each item runs as an invocation of its own (the block's text as the script) instead
        /// of the long-lived loop: for -UseNewRunspace, and in any mode but FullLanguage, where the loop's calls
        /// into this module's objects are refused.
        /// </summary>
        public bool RunsEachItemAlone => UseNewRunspace || LanguageMode != PSLanguageMode.FullLanguage;

        /// <summary>
        /// True when items stream their output as they write it; false for an inlined block (see
        /// <see cref="PoolLoopScript"/>), a few expressions whose values leave together as the item ends.
        /// </summary>
        public bool StreamsOutput => RunsEachItemAlone || !PoolLoopScript.IsInline(LoopScript);

        /// <summary>
        /// What the items wrote, in the order written: error, warning, verbose, debug, information and progress
        /// records, joiner work (<see cref="IJoinerWork"/>) and, in an unordered call, output (a
        /// <see cref="PSObject"/>, or null).
        /// </summary>
        public ConcurrentQueue<object?> Records { get; } = new ConcurrentQueue<object?>();

        /// <summary>What -End blocks wrote to their output: written after the items' output, as the call ends.</summary>
        public ConcurrentQueue<SetupOutput> EndOutput { get; } = new ConcurrentQueue<SetupOutput>();

        /// <summary>How many idle runspaces the cache may keep when this call's workers give theirs back.</summary>
        public int WarmRunspaceCount { get; }

        /// <summary>Set when a worker could not run: the call cannot finish its items.</summary>
        public Exception? WorkerFailure { get; private set; }

        /// <summary>The caller's preferences, then the common parameters given to the call: what a worker process sets.</summary>
        public IEnumerable<KeyValuePair<string, object?>> WorkerPreferences()
        {
            foreach (KeyValuePair<string, object?> preference in _caller.Preferences)
            {
                yield return preference;
            }

            foreach (KeyValuePair<string, object?> preference in _preferenceOverrides)
            {
                yield return preference;
            }
        }

        /// <summary>
        /// -Begin's output goes with the records, ahead of the items'; -End's waits for the end of the call. Either
        /// worker kind hands it here.
        /// </summary>
        public void KeepSetupOutput(PSDataCollection<PSObject> output, bool isBegin)
        {
            if (output.Count == 0)
            {
                return;
            }

            var values = new object[output.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = output[i];
            }

            if (isBegin)
            {
                Records.Enqueue(new SetupOutput(values));
            }
            else
            {
                EndOutput.Enqueue(new SetupOutput(values));
            }

            Scheduler.Signal();
        }

        /// <summary>
        /// Passes on what an item wrote to its output: held on the item in an ordered call until the earlier items
        /// are written, queued with the records otherwise. An item that has ended writes nothing more.
        /// </summary>
        public void StreamOutput(PoolWorkItem item, System.Collections.ObjectModel.Collection<PSObject> written)
        {
            if (item.State != PoolItemState.Running || Scheduler.IsCancelled)
            {
                return;
            }

            // Under retries the output waits for the attempt's success: a failed attempt's output is dropped.
            if (Scheduler.IsOrdered || Scheduler.HoldsOutputUntilDone)
            {
                foreach (PSObject value in written)
                {
                    item.AddStreamed(value);
                }

                if (!Scheduler.IsNextToWrite(item) || Scheduler.HoldsOutputUntilDone)
                {
                    // Held for order: the writer takes it when the earlier items are written, woken by their results.
                    return;
                }
            }
            else
            {
                foreach (PSObject value in written)
                {
                    Records.Enqueue(value);
                }
            }

            Scheduler.NotifyStreamed();
        }

        /// <summary>Gives a worker's runspace the caller's location and preferences. Runs on the worker's thread.</summary>
        public void Prepare(WorkerRunspace runspace)
        {
            // Get-Runspace tells pool runspaces (kept warm in a stack of their own) from Start-WorkerThread's.
            runspace.Runspace.Name = RunspaceName;
            runspace.PrepareFor(_caller);
            foreach (KeyValuePair<string, object?> preference in _preferenceOverrides)
            {
                runspace.Runspace.SessionStateProxy.SetVariable(preference.Key, preference.Value);
            }

            Setup.Imports?.Define(runspace.Runspace);
        }

        /// <summary>
        /// Starts workers as items arrive, one per item up to the throttle, and replaces a worker that died
        /// while items still wait.
        /// </summary>
        public void EnsureWorkers()
        {
            if (Scheduler.IsCancelled)
            {
                return;
            }

            int started = _workers.Count;
            int waiting = Scheduler.QueuedCount;
            int idle = started - Scheduler.RunningCount;
            if (started < Scheduler.ThrottleLimit && waiting > idle)
            {
                if (started == 0)
                {
                    StartWorker(0);
                }
                else if (ItemsWaitTooLong())
                {
                    // The workers there are not keeping up: as many more as the waiting items need.
                    int more = Math.Min(Scheduler.ThrottleLimit - started, waiting - idle);
                    for (int i = 0; i < more; i++)
                    {
                        StartWorker(_workers.Count);
                    }
                }
            }

            if (Volatile.Read(ref _endedWorkers) == 0)
            {
                // The common case, checked for every item: no worker has ended, nothing to replace.
                return;
            }

            for (int slot = 0; slot < _workers.Count; slot++)
            {
                IPoolWorker worker = _workers[slot];
                if (!worker.IsEnded)
                {
                    continue;
                }

                if (worker.StartFailure != null)
                {
                    WorkerFailure ??= worker.StartFailure;
                }

                if (Scheduler.HasQueuedWork && WorkerFailure == null && BeginFailure == null)
                {
                    if (!worker.WasStopRequested && ++_unaskedEndsPerSlot[slot] >= MaxEndsPerSlot)
                    {
                        WorkerFailure = new InvalidOperationException($"Pool worker {worker.Name} ended {MaxEndsPerSlot} times before the items were done.");
                        return;
                    }

                    StartWorker(slot);
                }
            }
        }

        /// <summary>
        /// How long until <see cref="EnsureWorkers"/> may start another worker for the items that wait; null when
        /// it will not without a change that wakes the pipeline thread anyway (the idle workers take them, the
        /// throttle is reached, the call is over), so that a quiet call does not poll.
        /// </summary>
        public TimeSpan? TimeUntilMoreWorkers()
        {
            int started = _workers.Count;
            int waiting = Scheduler.QueuedCount;
            if (Scheduler.IsCancelled || started >= Scheduler.ThrottleLimit || waiting <= started - Scheduler.RunningCount)
            {
                return null;
            }

            TimeSpan left = s_rampDelay - Scheduler.OldestQueuedWait();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        /// <summary>
        /// More workers start only once the oldest waiting item has waited <see cref="s_rampDelay"/>: tiny
        /// items that one worker keeps up with then do not pay for threads that would compete with the
        /// pipeline thread for the cores, while slow items get their workers after a couple of milliseconds.
        /// </summary>
        private bool ItemsWaitTooLong()
        {
            long now = Stopwatch.GetTimestamp();
            if (now - _lastWaitCheck < s_waitCheckInterval)
            {
                return false;
            }

            _lastWaitCheck = now;
            return Scheduler.OldestQueuedWait() >= s_rampDelay;
        }

        /// <summary>
        /// Called by a worker whose -Begin threw: the call fails with PoolBeginFailed, also when other workers
        /// finish the items meanwhile. The first failure is the one reported.
        /// </summary>
        public void FailBegin(PoolBeginException failure)
        {
            Interlocked.CompareExchange(ref _beginFailure, failure, null);
            Scheduler.Signal();
        }

        /// <summary>The first -Begin failure of any worker; null while none failed.</summary>
        public PoolBeginException? BeginFailure => Volatile.Read(ref _beginFailure);

        /// <summary>Called by a worker as it ends.</summary>
        public void OnWorkerEnded() => Interlocked.Increment(ref _endedWorkers);

        /// <summary>Stops the items running under an item timeout; each worker then goes on with the next items.</summary>
        public void StopItems(IReadOnlyList<PoolWorkItem> items)
        {
            foreach (PoolWorkItem item in items)
            {
                if (item.WorkerIndex >= 0 && item.WorkerIndex < _workers.Count)
                {
                    _workers[item.WorkerIndex].StopItem(item);
                }
            }
        }

        /// <summary>
        /// Stops the whole call: nothing more is taken, every running item is stopped. Waits up to
        /// <paramref name="wait"/> for the workers to end. -End, which closes what -Begin opened, still runs after
        /// the stop, for <paramref name="endGrace"/> at most from its start, and is stopped then; zero stops it at
        /// once (the call's time is up, or Ctrl+C came while the call waited for -End).
        /// </summary>
        public void Stop(TimeSpan wait, TimeSpan endGrace)
        {
            Scheduler.Cancel();
            foreach (IPoolWorker worker in _workers)
            {
                worker.StopForGood();
                if (endGrace > TimeSpan.Zero)
                {
                    worker.LimitEnd(endGrace);
                }
                else
                {
                    worker.StopEnd();
                }
            }

            WaitForWorkers(wait);
        }

        /// <summary>The workers that have not ended: after a stop, those stuck in a call that cannot be interrupted.</summary>
        public IReadOnlyList<WorkerThread> StillRunning()
        {
            var running = new List<WorkerThread>();
            foreach (IPoolWorker worker in _workers)
            {
                if (!worker.IsEnded && worker.Thread != null)
                {
                    running.Add(worker.Thread);
                }
            }

            return running;
        }

        /// <summary>Waits for every worker to end, up to <paramref name="wait"/> in all.</summary>
        public bool WaitForWorkers(TimeSpan wait)
        {
            var watch = Stopwatch.StartNew();
            foreach (IPoolWorker worker in _workers)
            {
                if (worker.IsEnded)
                {
                    continue;
                }

                TimeSpan left = wait - watch.Elapsed;
                if (!worker.WaitEnded(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    return false;
                }
            }

            return true;
        }

        private void StartWorker(int slot)
        {
            IPoolWorker worker = Isolation == ThreadIsolation.Process
                ? new RemoteItemRunner(this, slot, _prefix + "_" + slot, ProcessPool.Places)
                : new PoolItemRunner(this, slot, _prefix + "_" + slot);
            if (slot < _workers.Count)
            {
                _workers[slot] = worker;
            }
            else
            {
                _workers.Add(worker);
                _unaskedEndsPerSlot.Add(0);
            }

            worker.Start();
        }
    }
}

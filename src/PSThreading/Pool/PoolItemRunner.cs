using System;
using System.Collections;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Hosts;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>
    /// The runner of one pool worker's items: it runs the worker's thread (a <see cref="ThreadKind.PoolWorker"/>,
    /// listed in Get-ActiveThread as <c>ThreadPool-N_i</c>), takes a warm runspace and runs ONE long-lived
    /// invocation of the call's <see cref="PoolLoopScript"/>, which pulls item after item from the call's
    /// scheduler: per-item cost is a few delegate calls, not a new invocation.
    /// </summary>
    /// <remarks>
    /// The loop script calls back into this object through delegates (see PoolItemRunner.LoopCalls.cs) on the
    /// worker's own thread: the runspace runs every invocation on its caller's thread.
    /// </remarks>
    internal sealed partial class PoolItemRunner : IPoolWorker
    {
        private readonly object _sync = new object();
        private readonly PoolCall _call;
        private readonly ThreadPoolScheduler _scheduler;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ManualResetEventSlim _ended = new ManualResetEventSlim(false);
        // What the item's blocking waits ($lock.Acquire()) observe: a pipeline stop does not reach a method call.
        private readonly ItemStop _itemStop = new ItemStop();
        private readonly LoopCalls _loopCalls;
        private PoolWorkItem? _current;
        private WorkerRunspace? _runspace;
        private WorkerThread? _thread;
        private PowerShell? _running;
        private bool _itemStopPending;
        private bool _callStopping;
        private bool _drained;
        // Set by the current item's block as its last statement (see PoolLoopScript.MarkReturn): a stop that lands
        // after it does not undo the item. Read and written on the worker's thread only.
        private readonly StrongBox<bool> _currentReturned = new StrongBox<bool>();
        // Where the calling loop last saw the location at the caller's folder (see KeepCallerLocation).
        private PSDriveInfo? _checkedDrive;
        // The $PSThreadingAttempt last set in the loop's scope (-MaxRetries); 0: not set yet.
        private int _attemptSet;
        private const string AttemptVariable = "PSThreadingAttempt";
        private string? _checkedDriveLocation;

        internal PoolItemRunner(PoolCall call, int index, string name)
        {
            _call = call;
            _scheduler = call.Scheduler;
            Index = index;
            Name = name;
            _loopCalls = new LoopCalls(this);
        }

        internal int Index { get; }

        public string Name { get; }

        public bool IsEnded => _ended.IsSet;

        /// <summary>The worker's entry in Get-ActiveThread, once it runs.</summary>
        public WorkerThread? Thread => _thread;

        /// <summary>True when Stop-WorkerThread was given this worker: it ended because the user asked, not because it failed.</summary>
        public bool WasStopRequested => _thread?.StopToken.IsCancellationRequested == true;

        /// <summary>Why the worker could not run at all (no runspace); null when it ran.</summary>
        public Exception? StartFailure { get; private set; }

        /// <summary>The item's input, as <c>$_</c>, for the loop script: a script block rebuilt in this worker's runspace.</summary>
        private object? Current { get; set; }

        public void Start() => PoolThreads.Run(Run);

        public bool WaitEnded(TimeSpan timeout) => _ended.Wait(timeout);

        /// <summary>
        /// Called by the calling loop script: takes the next item, first putting the location back in the caller's
        /// folder when an earlier item moved it; false when the worker should end its invocation.
        /// </summary>
        private bool MoveNext(SessionState sessionState)
        {
            KeepCallerLocation(sessionState);
            if (!MoveNext())
            {
                return false;
            }

            SetAttempt(sessionState);
            return true;
        }

        /// <summary>$PSThreadingAttempt in the loop's scope, where the item's block reads it: set only when it changes.</summary>
        private void SetAttempt(SessionState sessionState)
        {
            int attempt = _current?.Attempt ?? 1;
            if (attempt != _attemptSet)
            {
                sessionState.PSVariable.Set(AttemptVariable, attempt);
                _attemptSet = attempt;
            }
        }

        /// <summary>Called by the inlined loop, whose statements cannot move the location: takes the next item.</summary>
        private bool MoveNext()
        {
            lock (_sync)
            {
                if (_itemStopPending || _callStopping)
                {
                    return false;
                }
            }

            PoolWorkItem? item;
            do
            {
                item = _scheduler.TakeNext(Index, _stop.Token);
                lock (_sync)
                {
                    _current = item;
                    _currentReturned.Value = false;
                    if (item != null)
                    {
                        _itemStop.Begin(item);
                    }

                    if (item == null && !_callStopping && !_itemStopPending)
                    {
                        _drained = true;
                    }
                }
            }
            while (item != null && !TryPrepare(item));

            if (item != null)
            {
                // Under a rate the start counts from here, the last moment before the item's code.
                _scheduler.MarkCodeStarting(item);
            }

            return item != null;
        }

        /// <summary>
        /// Sets <see cref="Current"/> for the item, on this worker's thread: the caller's script block objects
        /// never run here. An item that cannot be used on this thread fails with its named error.
        /// </summary>
        private bool TryPrepare(PoolWorkItem item)
        {
            try
            {
                Current = WorkerValues.ItemInWorker(item.Input, _runspace!.Runspace);
                return true;
            }
            catch (RunspaceBoundValueException ex)
            {
                FailUnprepared(item, ex.ToErrorRecord());
                return false;
            }
            catch (RuntimeException ex)
            {
                // The block's text did not parse again, say: this item fails, the worker goes on.
                FailUnprepared(item, ex.ErrorRecord);
                return false;
            }
        }

        private void FailUnprepared(PoolWorkItem item, ErrorRecord error)
        {
            Current = null;
            if (TakeCurrent() != null)
            {
                _scheduler.Fail(item, error);
            }
        }

        /// <summary>
        /// Reading the location costs more than an item of <c>{ $_ * 2 }</c>: the current drive and its
        /// location string, unchanged since the last check, tell that nothing moved it.
        /// </summary>
        private void KeepCallerLocation(SessionState sessionState)
        {
            PSDriveInfo? drive = sessionState.Drive.Current;
            if (drive != null && ReferenceEquals(drive, _checkedDrive) && string.Equals(drive.CurrentLocation, _checkedDriveLocation, StringComparison.Ordinal))
            {
                return;
            }

            WorkerRunspace.MoveTo(sessionState.Path, _call.CallerLocation);
            _checkedDrive = sessionState.Drive.Current;
            _checkedDriveLocation = _checkedDrive?.CurrentLocation;
        }

        /// <summary>Called by the loop script with everything the item wrote to its output.</summary>
        private void Complete(object[]? output)
        {
            PoolWorkItem? item = TakeCurrent();
            if (item != null)
            {
                _scheduler.Complete(item, output ?? Array.Empty<object>());
            }
        }

        /// <summary>Called by the loop script when the item wrote its output to the invocation's output, streamed as written.</summary>
        private void Complete() => Complete(Array.Empty<object>());

        /// <summary>Called by the loop script when the item threw.</summary>
        private void Fail(ErrorRecord error)
        {
            // What the item wrote before it threw has streamed out already, as ForEach-Object -Parallel writes it.
            PoolWorkItem? item = TakeCurrent();
            // The worker goes on to other items: locks the failed item left held are abandoned now, not at its end.
            _thread?.ReleaseAbandonedLocks(WorkerState.Failed);
            if (item != null)
            {
                // A stop can surface as another error: Start-Sleep whose module autoload it interrupted "was found in
                // the module 'Microsoft.PowerShell.Utility', but the module could not be loaded". The item was stopped.
                _scheduler.Fail(item, IsStopping() ? StoppedError(item) : error);
            }
        }

        private void Run()
        {
            WorkerThread thread = ThreadRegistry.BeginPoolWorker(Name);
            _thread = thread;
            t_running = this;
            thread.ItemStop = _itemStop;
            WorkerState outcome = WorkerState.Completed;
            WorkerRunspace? runspace = null;
            CancellationTokenRegistration stopRequest = thread.StopToken.Register(StopForGood);
            try
            {
                runspace = RunspaceCache.Take(PoolWorkerHost.Instance, _call.LanguageMode);
                _runspace = runspace;
                _call.Prepare(runspace);
                if (RunBegin(runspace))
                {
                    try
                    {
                        RunItems(ref runspace);
                    }
                    finally
                    {
                        RunEnd(runspace);
                    }
                }
            }
            catch (Exception ex)
            {
                // Nothing may escape a worker thread: it would end the whole process.
                outcome = WorkerState.Failed;
                StartFailure = ex;
            }
            finally
            {
                PoolWorkItem? orphan = TakeCurrent();
                if (orphan != null)
                {
                    _scheduler.EndStopped(orphan, StoppedError(orphan));
                }

                if (runspace != null)
                {
                    // Announced before the worker ends, so the next call waits for this runspace to be cleaned
                    // rather than opening another.
                    RunspaceCache.BeginReturn(runspace);
                }

                stopRequest.Dispose();
                t_running = null;
                ThreadRegistry.EndPoolWorker(thread, _callStopping ? WorkerState.Stopped : outcome);
                _call.OnWorkerEnded();
                _ended.Set();
                _scheduler.Signal();
                if (runspace != null)
                {
                    ReturnRunspace(runspace);
                }
            }
        }

        private void RunItems(ref WorkerRunspace runspace)
        {
            if (_call.RunsEachItemAlone)
            {
                RunItemsOneByOne(ref runspace);
            }
            else
            {
                while (RunOneInvocation(runspace))
                {
                    // The invocation was stopped under an item that passed its timeout: go on with a fresh one.
                }
            }
        }

        private void ReturnRunspace(WorkerRunspace runspace)
        {
            try
            {
                RunspaceCache.Return(runspace, _call.WarmRunspaceCount);
            }
            catch (Exception)
            {
                // The cache closes a runspace it cannot clean; nothing may escape this thread.
            }
        }

        /// <returns>True when the worker should start another invocation.</returns>
        private bool RunOneInvocation(WorkerRunspace runspace)
        {
            using (PowerShell ps = PowerShell.Create())
            {
                ps.Runspace = runspace.Runspace;
                // Script blocks among the values arrive as text: each worker rebuilds its own, in its runspace.
                ps.AddScript(_call.LoopScript, useLocalScope: true);
                _loopCalls.AddTo(ps, _call.LoopBlockText, WorkerValues.InWorker(_call.Arguments, runspace.Runspace));
                if (!BeginRunning(ps, runspace, _call.Script))
                {
                    return false;
                }

                bool endedByItself = false;
                try
                {
                    ps.Invoke(null, NewOutput());
                    endedByItself = ps.InvocationStateInfo.State == PSInvocationState.Completed;
                }
                catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
                {
                    // A stopped pipeline or a broken loop: the finally below decides what comes next.
                }
                finally
                {
                    EndRunning();
                }

                // Stopped or ended in the middle of an item.
                if (endedByItself && !IsStopping())
                {
                    // `exit` in the item ends the invocation, as it ends a worker's script: the item is done,
                    // with what it wrote before, and the worker goes on with a fresh invocation.
                    PoolWorkItem? exited = TakeCurrent();
                    if (exited != null)
                    {
                        _scheduler.Complete(exited, Array.Empty<object>());
                    }
                }
                else
                {
                    EndCurrentAsStopped();
                }

                lock (_sync)
                {
                    return !_callStopping && !_drained && !_scheduler.IsCancelled;
                }
            }
        }

        /// <summary>Gives <paramref name="ps"/> the $using: values and stream forwarding, and marks it as running.</summary>
        /// <returns>False when the call is stopping and <paramref name="ps"/> must not start.</returns>
        private bool BeginRunning(PowerShell ps, WorkerRunspace runspace, WorkerScript script)
        {
            AddUsingValues(ps, runspace, script);
            ForwardStreams(ps);
            runspace.RestoreLanguageMode();
            lock (_sync)
            {
                if (_callStopping)
                {
                    return false;
                }

                _itemStopPending = false;
                _running = ps;
                // A new invocation has a new loop scope: $PSThreadingAttempt is set again there.
                _attemptSet = 0;
                return true;
            }
        }

        private static void AddUsingValues(PowerShell ps, WorkerRunspace runspace, WorkerScript script)
        {
            Hashtable? usingValues = WorkerValues.InWorker(script.UsingValues, runspace.Runspace);
            if (usingValues != null)
            {
                ps.AddParameter(WorkerScript.UsingValuesParameter, usingValues);
            }
        }

        private void EndRunning()
        {
            lock (_sync)
            {
                _running = null;
            }
        }

        /// <summary>
        /// The item the worker was running when its invocation stopped or ended: reported as stopped, unless its
        /// block had run to its end (the stop landed as the call returned): then it is complete, with what it wrote.
        /// </summary>
        private void EndCurrentAsStopped()
        {
            PoolWorkItem? orphan = TakeCurrent();
            if (orphan != null && _currentReturned.Value)
            {
                _scheduler.Complete(orphan, Array.Empty<object>());
            }
            else if (orphan != null)
            {
                _thread?.ReleaseAbandonedLocks(WorkerState.Stopped);
                _scheduler.EndStopped(orphan, StoppedError(orphan));
            }
        }

        private PoolWorkItem? TakeCurrent()
        {
            lock (_sync)
            {
                PoolWorkItem? item = _current;
                _current = null;
                return item;
            }
        }

    }
}

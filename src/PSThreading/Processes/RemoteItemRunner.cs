using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Threads;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Processes
{
    /// <summary>
    /// A pool worker whose items run in a runspace outside this process (<see cref="RemoteRunspace"/>): its thread
    /// here (listed in Get-ActiveThread as <c>ThreadPool-N_i</c>) takes a place, sets it up for the call (preferences,
    /// -Function, -Module, -Begin), runs the items one invocation each, and gives the place back. A place lost under an
    /// item (its process ended) fails that item alone; the next item gets a new place.
    /// </summary>
    internal sealed partial class RemoteItemRunner : IPoolWorker
    {
        private readonly object _sync = new object();
        private readonly PoolCall _call;
        private readonly ThreadPoolScheduler _scheduler;
        private readonly IRemotePlaces _places;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ManualResetEventSlim _ended = new ManualResetEventSlim(false);
        // Set whenever a stop is asked (item, call, -End): the waiting runner looks at what was asked.
        private readonly AutoResetEvent _wake = new AutoResetEvent(false);
        private readonly object[] _arguments;
        private readonly Hashtable? _usingValues;
        private readonly bool _revivesValues;
        private PoolWorkItem? _current;
        private bool _itemStopPending;
        private bool _callStopping;
        private bool _endStopping;
        private TimeSpan? _endGrace;
        private WorkerThread? _thread;
        private RemoteRunspace? _place;
        // True while the place holds what -Begin set up (and -End is owed).
        private bool _begun;

        internal RemoteItemRunner(PoolCall call, int index, string name, IRemotePlaces places)
        {
            _call = call;
            _scheduler = call.Scheduler;
            _places = places;
            Index = index;
            Name = name;
            _arguments = CrossProcessValues.ForChild(call.Arguments);
            _usingValues = CrossProcessValues.ForChild(call.Script.UsingValues);
            _revivesValues = CrossProcessValues.NeedsReviving(_arguments, _usingValues);
        }

        internal int Index { get; }

        public string Name { get; }

        public bool IsEnded => _ended.IsSet;

        public WorkerThread? Thread => _thread;

        public bool WasStopRequested => _thread?.StopToken.IsCancellationRequested == true;

        public Exception? StartFailure { get; private set; }

        public void Start() => PoolThreads.Run(Run);

        public bool WaitEnded(TimeSpan timeout) => _ended.Wait(timeout);

        private void Run()
        {
            WorkerThread thread = ThreadRegistry.BeginPoolWorker(Name);
            _thread = thread;
            WorkerState outcome = WorkerState.Completed;
            CancellationTokenRegistration stopRequest = thread.StopToken.Register(StopForGood);
            try
            {
                RunItems();
            }
            catch (PoolBeginException)
            {
                outcome = WorkerState.Failed;
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

                try
                {
                    EndPlace();
                }
                catch (Exception)
                {
                    // -End and the cleaning report their own errors; nothing may escape this thread.
                }

                stopRequest.Dispose();
                ThreadRegistry.EndPoolWorker(thread, IsCallStopping() ? WorkerState.Stopped : outcome);
                _call.OnWorkerEnded();
                _ended.Set();
                _scheduler.Signal();
            }
        }

        private void RunItems()
        {
            while (!IsCallStopping())
            {
                if (_place == null && !OpenPlace())
                {
                    return;
                }

                PoolWorkItem? item = TakeNext();
                if (item == null)
                {
                    return;
                }

                RunItem(item);
            }
        }

        /// <summary>Takes a place and sets it up for the call; false when the call stopped meanwhile.</summary>
        private bool OpenPlace()
        {
            RemoteRunspace place = _places.Take(_call.LanguageMode);
            _place = place;
            _begun = false;
            Prepare(place);
            return RunBegin(place);
        }

        /// <summary>Runs -End where -Begin ran, then gives the place back (kept warm unless lost or abandoned).</summary>
        private void EndPlace()
        {
            RemoteRunspace? place = _place;
            _place = null;
            if (place == null)
            {
                return;
            }

            if (_begun && !place.IsLost)
            {
                RunEnd(place);
            }

            _begun = false;
            _places.Return(place, keep: !place.IsLost);
        }

        /// <summary>The place was lost or killed under an item: dropped, the next item gets a new one.</summary>
        private void DropPlace(RemoteRunspace place)
        {
            place.Abandon();
            _places.Return(place, keep: false);
            _place = null;
            _begun = false;
        }

        private PoolWorkItem? TakeNext()
        {
            PoolWorkItem? item = _scheduler.TakeNext(Index, _stop.Token);
            lock (_sync)
            {
                _itemStopPending = false;
                _current = item;
            }

            return item;
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

        private bool IsCallStopping()
        {
            lock (_sync)
            {
                return _callStopping || _scheduler.IsCancelled;
            }
        }

        public void StopItem(PoolWorkItem item)
        {
            lock (_sync)
            {
                if (!ReferenceEquals(_current, item))
                {
                    return;
                }

                _itemStopPending = true;
            }

            _wake.Set();
        }

        public void StopForGood()
        {
            lock (_sync)
            {
                _callStopping = true;
            }

            _stop.Cancel();
            _wake.Set();
        }

        public void StopEnd()
        {
            lock (_sync)
            {
                _endStopping = true;
            }

            _wake.Set();
        }

        public void LimitEnd(TimeSpan grace)
        {
            lock (_sync)
            {
                _endGrace = grace;
            }

            _wake.Set();
        }

        private static ErrorRecord StoppedError(PoolWorkItem item) => new ErrorRecord(
            new PipelineStoppedException(),
            "PoolItemStopped",
            ErrorCategory.OperationStopped,
            item.Input);

        private static IEnumerable<T> Empty<T>() => Array.Empty<T>();
    }
}

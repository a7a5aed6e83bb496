using System;
using System.Management.Automation;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Errors;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>Stopping a worker's item (its timeout passed) or the worker itself (the call is stopping).</summary>
    internal sealed partial class PoolItemRunner
    {
        /// <summary>
        /// Stops the item if this worker still runs it (its item timeout passed). The worker then starts a
        /// fresh invocation for the items that remain.
        /// </summary>
        public void StopItem(PoolWorkItem item)
        {
            PowerShell? running;
            lock (_sync)
            {
                if (!ReferenceEquals(_current, item))
                {
                    return;
                }

                // MoveNext refuses new items from here on, so the stop cannot land on a later item.
                _itemStopPending = true;
                running = _running;
                _itemStop.Stop(item);
            }

            BeginStop(running);
        }

        /// <summary>
        /// Stops the worker for good: the call is cancelled, timed out or failed, or Stop-WorkerThread was given
        /// this worker (its item ends as stopped, and the call starts another worker if items remain).
        /// </summary>
        public void StopForGood()
        {
            PowerShell? running;
            lock (_sync)
            {
                _callStopping = true;
                running = _running;
            }

            _stop.Cancel();
            _itemStop.StopAll();
            BeginStop(running);
        }

        /// <summary>
        /// Stops this worker's -End, now or as it starts: the call's -Timeout passed, Ctrl+C came while -End ran,
        /// or the grace a stopped call gives -End is over. -End is stopped as an item is, its finally blocks run.
        /// </summary>
        public void StopEnd()
        {
            PowerShell? running;
            lock (_sync)
            {
                _endStopping = true;
                running = _endRunning;
            }

            BeginStop(running);
        }

        /// <summary>
        /// After a stop during the items: -End (which closes what -Begin opened) still runs, but for
        /// <paramref name="grace"/> at most from when it starts, or from now if it runs already; then it is stopped.
        /// </summary>
        public void LimitEnd(TimeSpan grace)
        {
            lock (_sync)
            {
                _endGrace = grace;
                if (_endRunning != null)
                {
                    StartEndTimer();
                }
            }
        }

        /// <summary>Under _sync: the timer that stops -End once its grace is over.</summary>
        private void StartEndTimer()
        {
            if (_endGrace.HasValue && _endTimer == null)
            {
                _endTimer = new Timer(_ => StopEnd(), null, _endGrace.Value, System.Threading.Timeout.InfiniteTimeSpan);
            }
        }

        private bool IsStopping()
        {
            lock (_sync)
            {
                return _itemStopPending || _callStopping;
            }
        }

        private static ErrorRecord StoppedError(PoolWorkItem item) => new ErrorRecord(
            new PipelineStoppedException(),
            ErrorIds.PoolItemStopped,
            ErrorCategory.OperationStopped,
            item.Input);

        private static void BeginStop(PowerShell? running)
        {
            if (running != null)
            {
                // Not PowerShell's BeginStop: it waits for the item on a foreground thread, which an item stuck in
                // a .NET call would keep alive past the process's exit.
                PipelineStop.Begin(running);
            }
        }
    }
}

using System;
using System.Management.Automation;
using System.Threading;
using PSThreading.Engine;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>
    /// -Begin and -End: each an invocation of its own in the worker's runspace, around the long-lived loop
    /// (whose per-item cost they leave alone). Both are dot-sourced into the runspace's global scope: what
    /// -Begin sets is seen by every item (each runs in a child scope of it), survives the fresh invocation an
    /// item timeout starts, and is there for -End; the runspace cache resets it before the next call.
    /// </summary>
    internal sealed partial class PoolItemRunner
    {
        // True between a -Begin that succeeded and its -End: the runspace holds what -Begin set up.
        private bool _begun;
        // -End's invocation while it runs, and whether the call has told it to stop (see StopEnd).
        private PowerShell? _endRunning;
        private bool _endStopping;
        // Set by a stop during the items: how long -End may still run, timed by _endTimer from its start.
        private TimeSpan? _endGrace;
        private Timer? _endTimer;

        /// <summary>Runs -Begin, if given. False when the call is stopping; throws PoolBeginException when the block threw.</summary>
        private bool RunBegin(WorkerRunspace runspace)
        {
            WorkerScript? begin = _call.Setup.Begin;
            if (begin == null)
            {
                return true;
            }

            try
            {
                if (!RunSetupBlock(begin, runspace, stoppable: true))
                {
                    return false;
                }
            }
            catch (RuntimeException ex) when (!(ex is PipelineStoppedException) && !IsStopping())
            {
                var failure = new PoolBeginException(Name, ex.ErrorRecord);
                _call.FailBegin(failure);
                throw failure;
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                // Stopped while it ran: the call is stopping, the worker ends without items.
                return false;
            }

            _begun = true;
            return true;
        }

        /// <summary>
        /// Runs -End, if given and -Begin ran here: also after a stop, a timeout or a failure, so what -Begin
        /// opened is closed. Its errors are the call's; nothing escapes.
        /// </summary>
        private void RunEnd(WorkerRunspace runspace)
        {
            WorkerScript? end = _call.Setup.End;
            bool begun = _begun || _call.Setup.Begin == null;
            _begun = false;
            if (end == null || !begun)
            {
                return;
            }

            try
            {
                RunSetupBlock(end, runspace, stoppable: false);
            }
            catch (PipelineStoppedException) when (IsEndStopping())
            {
                // Stopped by the call's timeout, Ctrl+C or its grace after a stop: the call reports why.
            }
            catch (RuntimeException ex)
            {
                _call.Records.Enqueue(ex.ErrorRecord);
                _scheduler.Signal();
            }
            catch (InvalidOperationException)
            {
                // The runspace was closed under it (the process is exiting): nothing left to clean.
            }
        }

        /// <summary>
        /// Runs -Begin (<paramref name="stoppable"/>: its output goes with the records, ahead of the items') or -End
        /// (its output is kept for the end of the call).
        /// </summary>
        /// <returns>False when <paramref name="stoppable"/> and the call is stopping: the block did not start.</returns>
        private bool RunSetupBlock(WorkerScript script, WorkerRunspace runspace, bool stoppable)
        {
            using (PowerShell ps = PowerShell.Create())
            {
                ps.Runspace = runspace.Runspace;
                ps.AddScript(script.Text, useLocalScope: false);
                foreach (object argument in WorkerValues.InWorker(_call.Arguments, runspace.Runspace))
                {
                    ps.AddArgument(argument);
                }

                if (stoppable)
                {
                    if (!BeginRunning(ps, runspace, script))
                    {
                        return false;
                    }
                }
                else
                {
                    // -End runs after the stop that ended the items, but not past the call's end (see StopEnd).
                    AddUsingValues(ps, runspace, script);
                    ForwardStreams(ps);
                    runspace.RestoreLanguageMode();
                    if (!BeginEnd(ps))
                    {
                        return false;
                    }

                    // A stop that came between BeginEnd and the start finds nothing running to stop: caught here.
                    ps.InvocationStateChanged += (sender, e) =>
                    {
                        if (e.InvocationStateInfo.State == PSInvocationState.Running && IsEndStopping())
                        {
                            BeginStop(ps);
                        }
                    };
                }

                // Collected into a list of ours: what a stopped -End wrote before the stop is still written.
                var output = new PSDataCollection<PSObject>();
                bool ranToEnd = false;
                try
                {
                    ps.Invoke(null, output);
                    ranToEnd = true;
                }
                finally
                {
                    if (stoppable)
                    {
                        EndRunning();
                    }
                    else
                    {
                        EndEnd();
                    }

                    // -Begin's output only when it succeeded (a failed -Begin fails the call); -End's always.
                    if (ranToEnd || !stoppable)
                    {
                        _call.KeepSetupOutput(output, stoppable);
                    }
                }

                return true;
            }
        }

        /// <summary>Marks -End's invocation as running; false when the call has told -End to stop already: it does not start.</summary>
        private bool BeginEnd(PowerShell ps)
        {
            lock (_sync)
            {
                if (_endStopping)
                {
                    return false;
                }

                _endRunning = ps;
                StartEndTimer();
                return true;
            }
        }

        private void EndEnd()
        {
            lock (_sync)
            {
                _endRunning = null;
                _endTimer?.Dispose();
                _endTimer = null;
            }
        }

        private bool IsEndStopping()
        {
            lock (_sync)
            {
                return _endStopping;
            }
        }
    }
}

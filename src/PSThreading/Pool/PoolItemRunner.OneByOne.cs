using System;
using System.Management.Automation;
using PSThreading.Engine;
using PSThreading.Hosts;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>The items of a worker run one invocation each, instead of in the long-lived loop script.</summary>
    internal sealed partial class PoolItemRunner
    {
        /// <summary>
        /// One invocation per item (<see cref="PoolCall.RunsEachItemAlone"/>): slower than the loop, but it
        /// calls nothing of this module from script. Between items the location is put back; with -UseNewRunspace the runspace goes back to the cache, cleaned, and the warmest clean one is
        /// taken (the same one, unless the item left what cannot be cleaned).
        /// </summary>
        private void RunItemsOneByOne(ref WorkerRunspace runspace)
        {
            bool first = true;
            while (MoveNext())
            {
                if (!first)
                {
                    if (_call.UseNewRunspace)
                    {
                        // What -Begin set up went with the runspace: -End and -Begin run around every item here.
                        WorkerRunspace used = runspace;
                        RunEnd(used);
                        RunspaceCache.BeginReturn(used);
                        ReturnRunspace(used);
                        runspace = RunspaceCache.Take(PoolWorkerHost.Instance, _call.LanguageMode);
                        _runspace = runspace;
                        _call.Prepare(runspace);
                        if (!RunBegin(runspace))
                        {
                            EndCurrentAsStopped();
                            return;
                        }
                    }
                    else
                    {
                        WorkerRunspace.MoveTo(runspace.Runspace.SessionStateProxy.Path, _call.CallerLocation);
                    }
                }

                first = false;
                if (!RunItem(runspace))
                {
                    return;
                }
            }
        }

        /// <returns>False when the call is stopping.</returns>
        private bool RunItem(WorkerRunspace runspace)
        {
            using (PowerShell ps = PowerShell.Create())
            {
                ps.Runspace = runspace.Runspace;
                // The block's own text as the script, as Start-WorkerThread runs it: nothing of this module is
                // called from script, so ConstrainedLanguage allows it. $_ set globally is what the block reads.
                runspace.Runspace.SessionStateProxy.SetVariable("_", Current);
                runspace.Runspace.SessionStateProxy.SetVariable(AttemptVariable, _current?.Attempt ?? 1);
                ps.AddScript(_call.Script.Text, useLocalScope: true);
                foreach (object argument in WorkerValues.InWorker(_call.Arguments, runspace.Runspace))
                {
                    ps.AddArgument(argument);
                }

                if (!BeginRunning(ps, runspace, _call.Script))
                {
                    return false;
                }

                try
                {
                    // The output streams out as written, as in the loop (see PoolItemRunner.Output.cs); a block
                    // written for the pipeline gets the item as its input (see PoolLoopScript).
                    ps.Invoke(_call.Setup.TakesPipelineInput ? new[] { Current } : null, NewOutput());
                    Complete();
                }
                catch (RuntimeException ex) when (!(ex is PipelineStoppedException) && !IsStopping(ps))
                {
                    Fail(ex.ErrorRecord);
                }
                catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
                {
                    // Stopped (item timeout, call stopped): the orphan below is reported as stopped.
                }
                finally
                {
                    EndRunning();
                }

                EndCurrentAsStopped();
                lock (_sync)
                {
                    return !_callStopping && !_scheduler.IsCancelled;
                }
            }
        }

        private static bool IsStopping(PowerShell ps)
            => ps.InvocationStateInfo.State == PSInvocationState.Stopping || ps.InvocationStateInfo.State == PSInvocationState.Stopped;
    }
}

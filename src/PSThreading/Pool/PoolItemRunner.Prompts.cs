using System;
using System.Management.Automation.Host;
using PSThreading.Hosts;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>
    /// A pool item's prompts (Read-Host, -Confirm, PromptForChoice, Get-Credential): asked by the Invoke-ThreadPool
    /// call that runs the item, on its pipeline thread, in the order the item wrote them; the worker shows Blocked
    /// meanwhile. The pool's host is one for every worker: the runner on this thread is where the prompt goes.
    /// </summary>
    internal sealed partial class PoolItemRunner
    {
        [ThreadStatic]
        private static PoolItemRunner? t_running;

        /// <summary>On a pool worker's thread: asks through the call's pipeline thread. Elsewhere: null (no prompt).</summary>
        internal static bool TryAsk(Func<PSHostUserInterface, object?> ask, out object? answer)
        {
            PoolItemRunner? runner = t_running;
            if (runner == null)
            {
                answer = null;
                return false;
            }

            answer = JoinerPrompt.Ask(ask, runner.QueueForCaller, runner._thread, runner.Name);
            return true;
        }

        /// <summary>On a pool worker's thread: a record the item made outside its streams, queued in its place in the order.</summary>
        internal static void TryQueueRecord(object record)
        {
            PoolItemRunner? runner = t_running;
            if (runner != null)
            {
                runner._call.Records.Enqueue(record);
                runner._scheduler.NotifyStreamed();
            }
        }

        private void QueueForCaller(IJoinerWork work)
        {
            _call.Records.Enqueue(work);
            _scheduler.NotifyStreamed();
        }
    }
}

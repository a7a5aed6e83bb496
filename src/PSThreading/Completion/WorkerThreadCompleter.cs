using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Pool;

namespace PSThreading.Completion
{
    /// <summary>
    /// Completes a <c>-Thread</c> parameter (of type WorkerThread[]) from the live worker threads. The list
    /// shows names, but what is inserted is <c>(Get-ActiveThread -Id &lt;id&gt;)</c>: a thread object is what
    /// the parameter binds, a name alone would not convert to one, and the id picks exactly one thread
    /// even when several share a name.
    /// </summary>
    internal sealed class WorkerThreadCompleter : LiveThreadCompleter
    {
        protected override IEnumerable<CompletionResult> Complete(IEnumerable<WorkerThread> matching) =>
            // Only threads started by Start-WorkerThread can be waited for or stopped.
            matching
                .Where(thread => thread.Kind == ThreadKind.Worker)
                .Select(thread => new CompletionResult(
                    $"(Get-ActiveThread -Id {thread.ManagedThreadId})",
                    thread.Name,
                    CompletionResultType.ParameterValue,
                    CompletionText.Describe(thread)));
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Pool;

namespace PSThreading.Completion
{
    /// <summary>Completes a thread name, for parameters that take names: <c>Get-ActiveThread -Name</c>.</summary>
    internal sealed class ThreadNameCompleter : LiveThreadCompleter
    {
        protected override IEnumerable<CompletionResult> Complete(IEnumerable<WorkerThread> matching) =>
            // Names need not be unique; one completion per name is enough, since -Name matches them all.
            matching
                .GroupBy(thread => thread.Name, StringComparer.OrdinalIgnoreCase)
                .Select(group => new CompletionResult(
                    CompletionText.Quote(group.Key), group.Key, CompletionResultType.ParameterValue, CompletionText.Describe(group.First())));
    }
}

using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSThreading.Core;

namespace PSThreading.Completion
{
    /// <summary>
    /// Completes a <c>-Thread</c> parameter (of type WorkerThread[]) from the live worker threads. The list
    /// shows names, but what is inserted is <c>(Get-ActiveThread -Id &lt;id&gt;)</c>: a thread object is what
    /// the parameter binds, a name alone would not convert to one, and the id picks exactly one thread
    /// even when several share a name.
    /// </summary>
    public sealed class WorkerThreadCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters)
        {
            WildcardPattern pattern = CompletionText.PrefixPattern(wordToComplete);
            foreach (WorkerThread thread in ThreadRegistry.Enumerate())
            {
                // Only threads started by Start-WorkerThread can be waited for or stopped.
                if (thread.Kind == ThreadKind.Worker && pattern.IsMatch(thread.Name))
                {
                    yield return new CompletionResult(
                        $"(Get-ActiveThread -Id {thread.ManagedThreadId})",
                        thread.Name,
                        CompletionResultType.ParameterValue,
                        CompletionText.Describe(thread));
                }
            }
        }
    }
}

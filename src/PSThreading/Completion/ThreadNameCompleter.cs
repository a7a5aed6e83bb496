using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSThreading.Core;

namespace PSThreading.Completion
{
    /// <summary>
    /// Completes a thread name from the threads alive right now (what <c>Get-ActiveThread</c> lists), for
    /// parameters that take names: <c>Get-ActiveThread -Name</c>.
    /// </summary>
    public sealed class ThreadNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters)
        {
            WildcardPattern pattern = CompletionText.PrefixPattern(wordToComplete);
            var seen = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
            foreach (WorkerThread thread in ThreadRegistry.Enumerate())
            {
                // Names need not be unique; one completion per name is enough, since -Name matches them all.
                if (pattern.IsMatch(thread.Name) && seen.Add(thread.Name))
                {
                    yield return new CompletionResult(
                        CompletionText.Quote(thread.Name), thread.Name, CompletionResultType.ParameterValue, CompletionText.Describe(thread));
                }
            }
        }
    }
}

using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSThreading.Core.Threads;
using PSThreading.Values;

namespace PSThreading.Completion
{
    /// <summary>
    /// Base of the completers that offer threads alive right now (what <c>Get-ActiveThread</c> lists),
    /// filtered by what the user has typed of their name.
    /// </summary>
    internal abstract class LiveThreadCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters)
        {
            WildcardPattern pattern = CompletionText.PrefixPattern(wordToComplete);
            return Complete(ThreadRegistry.Enumerate().Where(thread => pattern.IsMatch(thread.Name)));
        }

        /// <summary>The completions for the live threads whose name matches, in start order.</summary>
        protected abstract IEnumerable<CompletionResult> Complete(IEnumerable<WorkerThread> matching);
    }
}

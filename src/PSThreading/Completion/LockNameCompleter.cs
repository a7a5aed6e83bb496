using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSThreading.Core.Sync;

namespace PSThreading.Completion
{
    /// <summary>Completes the name of a process-wide lock or semaphore, for <c>-Name</c> parameters that take one.</summary>
    internal sealed class LockNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters)
        {
            WildcardPattern pattern = CompletionText.PrefixPattern(wordToComplete);
            return LockRegistry.Named()
                .Where(primitive => pattern.IsMatch(primitive.Name))
                .Select(primitive => new CompletionResult(
                    CompletionText.Quote(primitive.Name), primitive.Name, CompletionResultType.ParameterValue, Describe(primitive)));
        }

        private static string Describe(SyncPrimitive primitive)
        {
            IReadOnlyList<LockHolding> holders = primitive.Holders;
            string state = holders.Count == 0 ? "free" : "held by " + string.Join(", ", holders.Select(h => h.Thread.Name));
            return $"{primitive.Kind} {primitive.Name} ({state})";
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Text;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Inline
{
    /// <summary>
    /// A caller's block made ready to run inline, on the caller's thread: the block itself (it may run here, on
    /// the thread that owns it), or, when it reads <c>$using:</c> values, a copy whose <c>$using:</c> reads
    /// are plain variables (a block run locally cannot read <c>$using:</c>), bound to the same module. The
    /// block runs through a small wrapper script that sets <c>$_</c>, the <c>$using:</c> variables and the
    /// preferences given as common parameters in a scope of its own, then calls the block with <c>&amp;</c>.
    /// </summary>
    internal sealed class InlineScript
    {
        internal const string BlockParameter = "__PSThreadingBlock";
        internal const string ArgumentsParameter = "__PSThreadingArguments";
        internal const string ItemParameter = "__PSThreadingItem";
        internal const string CaughtParameter = "__PSThreadingCaught";
        internal const string CallerParameter = "__PSThreadingCaller";
        // An item's attempt, from 1, as a pool worker gives it (-MaxRetries).
        internal const string AttemptVariable = "PSThreadingAttempt";
        private const string CapturedParameter = "__PSThreadingCaptured";
        private const string UsingVariablePrefix = "__PSThreadingUsing";

        private InlineScript(ScriptBlock block, string wrapperText, IReadOnlyList<KeyValuePair<string, object?>> variables, bool catchesErrors)
        {
            CatchesErrors = catchesErrors;
            Block = block;
            WrapperText = wrapperText;
            Variables = variables;
        }

        /// <summary>True for a pool item: an error its try catches ends it, given to the list passed as <see cref="CaughtParameter"/>.</summary>
        public bool CatchesErrors { get; }

        /// <summary>The block to call for each run.</summary>
        public ScriptBlock Block { get; }

        /// <summary>The script that calls <see cref="Block"/>; its parameters are the variables the block reads.</summary>
        public string WrapperText { get; }

        /// <summary>The <c>$using:</c> values and preferences, set as variables in the wrapper's scope.</summary>
        public IReadOnlyList<KeyValuePair<string, object?>> Variables { get; }

        /// <summary>
        /// On the caller's pipeline thread. <paramref name="script"/> holds the <c>$using:</c> values evaluated
        /// and checked as Threads mode does (the same values are refused, script blocks travel as text).
        /// </summary>
        /// <param name="captured">
        /// For -Begin: the block is dot-sourced and the variables it sets are put in this table, for the items and
        /// -End to be given (inline there is no worker scope to keep them in).
        /// </param>
        public static InlineScript Create(
            ScriptBlock block,
            WorkerScript script,
            IReadOnlyList<KeyValuePair<string, object?>> preferences,
            Hashtable? captured = null,
            bool pipesItem = false,
            bool isItem = false)
        {
            var variables = new List<KeyValuePair<string, object?>>();
            if (captured != null)
            {
                variables.Add(new KeyValuePair<string, object?>(CapturedParameter, captured));
            }

            Hashtable? usingValues = WorkerValues.InWorker(script.UsingValues, Runspace.DefaultRunspace);
            ScriptBlock toRun = usingValues == null ? block : WithUsingAsVariables(block, usingValues, variables);
            variables.AddRange(preferences);
            if (isItem)
            {
                variables.Add(new KeyValuePair<string, object?>(AttemptVariable, 1));
            }

            var wrapper = new StringBuilder();
            wrapper.Append("param($").Append(BlockParameter).Append(", $").Append(ArgumentsParameter).Append(", $").Append(ItemParameter)
                .Append(", $").Append(CaughtParameter).Append(", $").Append(CallerParameter);
            foreach (KeyValuePair<string, object?> variable in variables)
            {
                wrapper.Append(", ${").Append(variable.Key).Append('}');
            }

            // `& $block` gives the block a local scope of its own, as in a worker; the do/while catches a stray
            // break or continue in it, which would otherwise end a loop of the caller's. A nested pipeline writes
            // warning, verbose, debug and information records straight to the host, not to its streams: merged
            // into the output, they reach the cmdlet, which writes them as it writes a worker's.
            wrapper.Append(")\n$_ = $").Append(ItemParameter).Append('\n');
            // What the block changes in the caller (the location, globals) is put back in the finally; see InlineCallerState.
            wrapper.Append('$').Append(CallerParameter).Append(".Save($ExecutionContext.SessionState, ").Append(InlineCallerState.ListGlobals).Append(")\ntry {\n");
            if (captured == null)
            {
                // A block with a process block or a ValueFromPipeline parameter gets the item as its pipeline input.
                // A pool item runs in a try, as in a pool worker's loop: an error that a try catches (an unknown
                // command, a .NET method's exception) ends the item there, and is written with the item.
                wrapper.Append(isItem ? "try { " : string.Empty)
                    .Append(pipesItem ? "do { , $" + ItemParameter + " | & $" : "do { & $").Append(BlockParameter).Append(" @").Append(ArgumentsParameter)
                    .Append(" 3>&1 4>&1 5>&1 6>&1 } while ($false)")
                    .Append(isItem ? " } catch { $" + CaughtParameter + ".Add($_) }\n" : "\n");
            }
            else
            {
                // The names before, the block dot-sourced here, then what it added: its variables.
                wrapper.Append("$__PSThreadingBefore = $null; $__PSThreadingBefore = @(Get-Variable -Scope 0 | ForEach-Object Name)\n");
                wrapper.Append("do { . $").Append(BlockParameter).Append(" @").Append(ArgumentsParameter)
                    .Append(" 3>&1 4>&1 5>&1 6>&1 } while ($false)\n");
                wrapper.Append("foreach ($__PSThreadingVariable in @(Get-Variable -Scope 0)) { if ($__PSThreadingBefore -notcontains $__PSThreadingVariable.Name -and ")
                    .Append("$__PSThreadingVariable.Name -ne '__PSThreadingVariable') { $").Append(CapturedParameter)
                    .Append("[$__PSThreadingVariable.Name] = $__PSThreadingVariable.Value } }\n");
            }

            wrapper.Append("}\nfinally { $").Append(CallerParameter).Append(".Restore(").Append(InlineCallerState.ListGlobals).Append(") }\n");
            return new InlineScript(toRun, wrapper.ToString(), variables, isItem);
        }

        /// <summary>
        /// A copy of the block whose <c>$using:</c> reads are variables: its own, and those of blocks nested in it
        /// that the caller could evaluate (a worker runs those in place too: Invoke-WithLock, ForEach-Object).
        /// </summary>
        private static ScriptBlock WithUsingAsVariables(ScriptBlock block, Hashtable usingValues, List<KeyValuePair<string, object?>> variables)
        {
            Ast root = block.Ast;
            string text = root.Extent.Text;
            int start = root.Extent.StartOffset;
            if (root.Parent != null && text.StartsWith("{", StringComparison.Ordinal) && text.EndsWith("}", StringComparison.Ordinal))
            {
                // A block written as { ... }: its text is the inside, as ScriptBlock.ToString() gives it.
                text = text.Substring(1, text.Length - 2);
                start++;
            }

            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            var reads = root.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true)
                .Cast<UsingExpressionAst>()
                .Where(a => usingValues.ContainsKey(WorkerScript.UsingKey(a)))
                .OrderByDescending(a => a.Extent.StartOffset)
                .ToList();
            if (reads.Count == 0)
            {
                return block;
            }

            var rewritten = new StringBuilder(text);
            foreach (UsingExpressionAst read in reads)
            {
                string key = WorkerScript.UsingKey(read);
                if (!names.TryGetValue(key, out string? name))
                {
                    name = UsingVariablePrefix + names.Count.ToString(CultureInfo.InvariantCulture);
                    names.Add(key, name);
                    variables.Add(new KeyValuePair<string, object?>(name, usingValues[key]));
                }

                rewritten.Remove(read.Extent.StartOffset - start, read.Extent.EndOffset - read.Extent.StartOffset);
                rewritten.Insert(read.Extent.StartOffset - start, "${" + name + "}");
            }

            ScriptBlock copy = ScriptBlock.Create(rewritten.ToString());
            // Bound to the block's module, the copy resolves commands and variables where the block would.
            return block.Module != null ? block.Module.NewBoundScriptBlock(copy) : copy;
        }
    }
}

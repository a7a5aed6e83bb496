using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;

namespace PSThreading.Values
{
    /// <summary>
    /// A caller's script block turned into what a worker runspace can run: its text, and the values of its
    /// <c>$using:</c> expressions evaluated in the caller. The ScriptBlock object itself never crosses threads:
    /// it belongs to the caller's runspace, and invoking it elsewhere crashes pwsh.
    /// </summary>
    internal sealed class WorkerScript
    {
        /// <summary>The parameter name the engine binds to <c>$using:</c> reads.</summary>
        internal const string UsingValuesParameter = "--%";

        private const string VariableDrive = "variable:";

        private WorkerScript(string text, Hashtable? usingValues, Ast? origin = null)
        {
            Text = text;
            UsingValues = usingValues;
            Origin = origin;
        }

        public string Text { get; }

        /// <summary>The caller's block, to map a worker's error positions back to its file (<see cref="BlockPosition"/>); read on the caller's thread only.</summary>
        public Ast? Origin { get; }

        /// <summary>A script of this module's own, with no <c>$using:</c> values.</summary>
        public static WorkerScript FromText(string text) => new WorkerScript(text, null);

        /// <summary>Keyed the way the engine looks <c>$using:</c> values up; null when the block has none.</summary>
        public Hashtable? UsingValues { get; }

        /// <summary>
        /// Evaluates every <c>$using:</c> expression of the block in the caller. Must run on the caller's
        /// pipeline thread. A variable the caller has not set is the caller's terminating UsingVariableUndefined error.
        /// </summary>
        public static WorkerScript Create(ScriptBlock block, PSCmdlet caller)
        {
            Ast root = block.Ast;
            Hashtable? values = null;
            foreach (Ast found in root.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true))
            {
                var usingAst = (UsingExpressionAst)found;
                string key = UsingKey(usingAst);
                values ??= new Hashtable(StringComparer.Ordinal);
                if (values.ContainsKey(key))
                {
                    continue;
                }

                if (TryEvaluate(usingAst, caller, out object? value))
                {
                    values[key] = WorkerValues.ForWorker(value, "The value of " + usingAst.Extent.Text, caller);
                }
                else if (!IsInNestedScriptBlock(usingAst, root))
                {
                    var undefined = new UsingVariableException(usingAst.Extent.Text);
                    caller.ThrowTerminatingError(new ErrorRecord(undefined, ErrorIds.UsingVariableUndefined, ErrorCategory.InvalidArgument, undefined.Expression));
                }
                // Undefined and nested: it belongs to a block the worker itself starts, which evaluates it there.
            }

            return new WorkerScript(UsingNamespacePrefix(block) + block.ToString(), values, root);
        }

        /// <summary>
        /// The <c>using namespace</c> statements at the top of the file or block the caller's block was written
        /// in, on one line ending in <c>;</c>, so that <c>[List[int]]</c> resolves in the worker as in the caller
        /// and the block's own lines keep their numbers; empty when there are none.
        /// </summary>
        public static string UsingNamespacePrefix(ScriptBlock block)
        {
            Ast root = block.Ast;
            while (root.Parent != null)
            {
                root = root.Parent;
            }

            // A block that is its own root already starts with its using statements.
            if (ReferenceEquals(root, block.Ast) || !(root is ScriptBlockAst rootBlock) || rootBlock.UsingStatements.Count == 0)
            {
                return string.Empty;
            }

            var prefix = new StringBuilder();
            foreach (UsingStatementAst statement in rootBlock.UsingStatements)
            {
                if (statement.UsingStatementKind == UsingStatementKind.Namespace)
                {
                    prefix.Append(statement.Extent.Text).Append("; ");
                }
            }

            return prefix.ToString();
        }

        private static bool TryEvaluate(UsingExpressionAst usingAst, PSCmdlet caller, out object? value)
        {
            VariableExpressionAst? variable = usingAst.SubExpression as VariableExpressionAst
                ?? usingAst.SubExpression.Find(a => a is VariableExpressionAst, searchNestedScriptBlocks: false) as VariableExpressionAst;
            value = null;
            if (variable == null)
            {
                return false;
            }

            string name = variable.VariablePath.UserPath;
            int colon = name.IndexOf(':');
            if (colon >= 0 && name.StartsWith("using:", StringComparison.OrdinalIgnoreCase))
            {
                name = name.Substring(colon + 1);
            }

            if (variable.VariablePath.IsDriveQualified)
            {
                // $using:env:NAME and the like: a provider path, read with the provider-aware lookup. An unset
                // environment variable reads as $null, as $env:NAME does.
                if (usingAst.SubExpression is VariableExpressionAst)
                {
                    value = caller.SessionState.PSVariable.GetValue(name);
                    return true;
                }
            }
            else
            {
                // $using:variable:x names the variable x.
                if (name.StartsWith(VariableDrive, StringComparison.OrdinalIgnoreCase))
                {
                    name = name.Substring(VariableDrive.Length);
                }

                PSVariable? psVariable = caller.SessionState.PSVariable.Get(name);
                if (psVariable == null)
                {
                    return false;
                }

                if (usingAst.SubExpression is VariableExpressionAst)
                {
                    value = psVariable.Value;
                    return true;
                }
            }

            // $using:x.Prop, ${using:x}.Prop or $using:x[0]: the same expression evaluated in the caller, without
            // the prefix.
            string text = usingAst.SubExpression.Extent.Text;
            int prefix = text.IndexOf("$using:", StringComparison.OrdinalIgnoreCase);
            int bracedPrefix = text.IndexOf("${using:", StringComparison.OrdinalIgnoreCase);
            if (bracedPrefix >= 0 && (prefix < 0 || bracedPrefix < prefix))
            {
                text = text.Remove(bracedPrefix + 2, "using:".Length);
            }
            else if (prefix >= 0)
            {
                text = text.Remove(prefix + 1, "using:".Length);
            }

            var results = caller.InvokeCommand.InvokeScript(text);
            value = results.Count == 0 ? null : results.Count == 1 ? results[0] : (object)results;
            return true;
        }

        /// <summary>True when <paramref name="ast"/> lies in a script block written inside <paramref name="root"/>.</summary>
        internal static bool IsInNestedScriptBlock(Ast ast, Ast root)
        {
            for (Ast? parent = ast.Parent; parent != null && !ReferenceEquals(parent, root); parent = parent.Parent)
            {
                if (parent is ScriptBlockExpressionAst)
                {
                    return true;
                }
            }

            return false;
        }

        // The engine's key: the expression's text (lower-cased for a plain variable), UTF-16 bytes, base64.
        internal static string UsingKey(UsingExpressionAst usingAst)
        {
            string text = usingAst.ToString();
            if (usingAst.SubExpression is VariableExpressionAst)
            {
                text = text.ToLowerInvariant();
            }

            return Convert.ToBase64String(Encoding.Unicode.GetBytes(text));
        }
    }

    /// <summary>A <c>$using:</c> variable the caller has not set.</summary>
    internal sealed class UsingVariableException : Exception
    {
        public UsingVariableException(string expression)
            : base($"The value of '{expression}' cannot be read because the variable is not set in the caller. Set it before starting the thread, or pass the value with -ArgumentList.")
        {
            Expression = expression;
        }

        public string Expression { get; }
    }
}

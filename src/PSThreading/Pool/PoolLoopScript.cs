using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSThreading.Engine;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>
    /// The script a pool worker runs: one loop that takes item after item from its <see cref="PoolItemRunner"/>.
    /// Two shapes. The general one calls the user's block with <c>&amp;</c> for each item, in a fresh local
    /// scope. For a block made only of expressions that read <c>$_</c>, constants and <c>$using:</c> values
    /// (typically <c>{ $_ * 2 }</c>: no command, no method call, no assignment), the block's statements are
    /// placed in the loop itself: several times cheaper an item, the same result (README, benchmarks). Which shapes inline is
    /// an allowlist: anything not on it (a command such as Tee-Object -Variable or Invoke-Expression, a method
    /// such as PSVariable.Set) could leave something in the loop's scope for the next item.
    /// A block written for the pipeline (a process block, a ValueFromPipeline parameter) is called with the item
    /// piped in instead, so an advanced function's block works unchanged.
    /// Where the loop cannot call back into this module (ConstrainedLanguage refuses method calls on its types)
    /// and for -UseNewRunspace, no loop runs: <see cref="PoolItemRunner"/> invokes the block once per item.
    /// </summary>
    internal static class PoolLoopScript
    {
        internal const string MoveNextAtParameter = "MoveNextAt";
        internal const string MoveNextParameter = "MoveNext";
        internal const string CurrentParameter = "Current";
        internal const string CompleteParameter = "Complete";
        internal const string CompleteWithParameter = "CompleteWith";
        internal const string FailParameter = "Fail";
        internal const string BlockTextParameter = "BlockText";
        internal const string ItemReturnedParameter = "ItemReturned";

        // The statement MarkReturn appends to a block: it sets the runner's "ran to its end" flag, kept in the loop's
        // scope where the block sees it. A bool in a box, not a delegate: all an item can do with it is claim that
        // it ran to its end, which changes only how a stop that lands after that is reported.
        private const string ReturnMark = "\n$__PoolItemReturned.Value = $true";
        internal const string ArgumentsParameter = "Arguments";

        // The runner's delegates and the block arrive as parameters, are kept in private variables, which the
        // item's block (a child scope) cannot read, and the parameters are removed, with the bound-parameter
        // dictionary that also holds them. The inlined statements cannot name them: the allowlist below reads
        // $_, $PSItem, constants and $using: values only.
        private const string Header = @"
param($MoveNextAt, $MoveNext, $Current, $Complete, $CompleteWith, $Fail, $BlockText, [object[]] $Arguments, $ItemReturned)
$private:__PoolMoveNextAt = $MoveNextAt
$private:__PoolMoveNext = $MoveNext
$private:__PoolCurrent = $Current
$private:__PoolComplete = $Complete
$private:__PoolCompleteWith = $CompleteWith
$private:__PoolFail = $Fail
$private:__PoolBlockText = $BlockText
$private:__PoolArguments = $Arguments
$__PoolItemReturned = $ItemReturned
$PSBoundParameters.Clear()
$ExecutionContext.SessionState.PSVariable.Remove('MoveNextAt')
$ExecutionContext.SessionState.PSVariable.Remove('MoveNext')
$ExecutionContext.SessionState.PSVariable.Remove('Current')
$ExecutionContext.SessionState.PSVariable.Remove('Complete')
$ExecutionContext.SessionState.PSVariable.Remove('CompleteWith')
$ExecutionContext.SessionState.PSVariable.Remove('Fail')
$ExecutionContext.SessionState.PSVariable.Remove('BlockText')
$ExecutionContext.SessionState.PSVariable.Remove('Arguments')
$ExecutionContext.SessionState.PSVariable.Remove('ItemReturned')
";

        // `& $block` runs the block in a local scope: compiled variable slots, far faster than dot-sourcing.
        // `$_` set in the loop's scope is what the block reads as $_ / $PSItem. The do/while catches a stray
        // break or continue in the user's block, which would otherwise end this loop. The block writes to the
        // invocation's output, which the runner keeps per item: `exit` ends the whole invocation, and what the
        // item wrote before it is then still there (collected into a variable it would be lost). MoveNextAt gets
        // the session state to put the location back when an earlier item moved it (an inlined block cannot).
        private const string CallingLoopStart = Header + @"
$private:__PoolBlock = [scriptblock]::Create($__PoolBlockText)
while ($__PoolMoveNextAt.Invoke($ExecutionContext.SessionState)) {
    $_ = $__PoolCurrent.Invoke()
    try {
        do {
";

        private const string CallingLoopEnd = @"
        } while ($false)
        $__PoolComplete.Invoke()
    }
    catch {
        $__PoolFail.Invoke($_)
    }
}
";

        private const string CallingLoop = CallingLoopStart + "            & $__PoolBlock @__PoolArguments" + CallingLoopEnd;

        // A block with a process block or a ValueFromPipeline parameter gets the item as its pipeline input, as
        // a function written for the pipeline expects; the unary comma keeps an array item one input object.
        private const string PipingLoop = CallingLoopStart + "            , $_ | & $__PoolBlock @__PoolArguments" + CallingLoopEnd;

        private const string InlineLoopStart = Header + @"
while ($__PoolMoveNext.Invoke()) {
    $_ = $__PoolCurrent.Invoke()
    try {
        $__PoolCompleteWith.Invoke(@(
";

        private const string InlineLoopEnd = @"
        ))
    }
    catch {
        $__PoolFail.Invoke($_)
    }
}
";

        // Variables an inlined block may read: they mean the same in the loop as in a block of its own.
        private static readonly HashSet<string> s_inlineVariables = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "_", "PSItem", "true", "false", "null",
        };

        /// <summary>The loop script for this block: inline when that cannot change what the block does.</summary>
        public static string For(ScriptBlock block)
        {
            if (TakesPipelineInput(block))
            {
                return PipingLoop;
            }

            if (block.Ast is ScriptBlockAst ast && CanInline(ast))
            {
                // The caller script's using namespace statements, for the types the inlined statements name.
                string inline = WorkerScript.UsingNamespacePrefix(block) + InlineLoopStart + block.ToString() + InlineLoopEnd;
                Parser.ParseInput(inline, out _, out ParseError[] errors);
                if (errors.Length == 0)
                {
                    return inline;
                }
            }

            return CallingLoop;
        }

        /// <summary>
        /// The block's text with a last statement that tells the runner the block ran to its end. A stop (the
        /// user's Stop-WorkerThread) that lands after the block's last statement is seen by PowerShell only where
        /// the block's call returns, after the item wrote all its output: without the mark that item would be
        /// reported stopped as well, twice in all. Only a block whose statements end its text can take one more
        /// (not named begin/process/end blocks); another gets none and such a late stop reports it stopped.
        /// </summary>
        public static string MarkReturn(string blockText)
        {
            string marked = blockText + ReturnMark;
            ScriptBlockAst ast = Parser.ParseInput(marked, out _, out ParseError[] errors);
            return errors.Length == 0 && ast.BeginBlock == null && ast.ProcessBlock == null && ast.DynamicParamBlock == null && ast.EndBlock != null && ast.EndBlock.Unnamed
                ? marked
                : blockText;
        }

        /// <summary>
        /// True for a block that reads its item from the pipeline: a process block, or a parameter bound from it.
        /// A function's block (<c>${function:f}</c>) has the function's definition as its Ast.
        /// </summary>
        internal static bool TakesPipelineInput(ScriptBlock block)
        {
            ScriptBlockAst? ast = block.Ast as ScriptBlockAst ?? (block.Ast as FunctionDefinitionAst)?.Body;
            if (ast == null)
            {
                return false;
            }

            if (ast.ProcessBlock != null)
            {
                return true;
            }

            if (ast.ParamBlock == null)
            {
                return false;
            }

            foreach (ParameterAst parameter in ast.ParamBlock.Parameters)
            {
                foreach (AttributeBaseAst attribute in parameter.Attributes)
                {
                    if (attribute is AttributeAst parameterAttribute
                        && string.Equals(parameterAttribute.TypeName.Name, "Parameter", StringComparison.OrdinalIgnoreCase)
                        && parameterAttribute.NamedArguments.Any(IsPipelineBinding))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool IsPipelineBinding(NamedAttributeArgumentAst argument)
            => (string.Equals(argument.ArgumentName, "ValueFromPipeline", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(argument.ArgumentName, "ValueFromPipelineByPropertyName", StringComparison.OrdinalIgnoreCase))
                && (argument.ExpressionOmitted || !(argument.Argument is VariableExpressionAst value && string.Equals(value.VariablePath.UserPath, "false", StringComparison.OrdinalIgnoreCase)));

        /// <summary>True for a loop script that <see cref="For"/> made with the block's statements inline.</summary>
        public static bool IsInline(string loopScript) => !ReferenceEquals(loopScript, CallingLoop);

        internal static bool CanInline(ScriptBlockAst ast)
        {
            if (ast.ParamBlock != null || ast.BeginBlock != null || ast.ProcessBlock != null || ast.DynamicParamBlock != null
                || ast.EndBlock == null || ast.EndBlock.Unnamed == false || ast.UsingStatements.Count > 0 || ast.ScriptRequirements != null
                || ast.EndBlock.Traps != null || ast.EndBlock.Statements.Count == 0)
            {
                return false;
            }

            return !ast.EndBlock.FindAll(node => !IsInlineSafe(node), searchNestedScriptBlocks: true).Any();
        }

        // The allowlist: expressions that compute a value from $_, constants and $using: values, and nothing else.
        private static bool IsInlineSafe(Ast node)
        {
            switch (node)
            {
                case NamedBlockAst _:
                case StatementBlockAst _:
                case CommandExpressionAst command when command.Redirections.Count == 0:
                case PipelineAst pipeline when pipeline.PipelineElements.Count == 1:
                case ConstantExpressionAst _:
                case ExpandableStringExpressionAst _:
                case UsingExpressionAst _:
                case BinaryExpressionAst _:
                case ParenExpressionAst _:
                case SubExpressionAst _:
                case ArrayExpressionAst _:
                case ArrayLiteralAst _:
                case HashtableAst _:
                case IndexExpressionAst _:
                case TypeExpressionAst _:
                case TypeConstraintAst _:
                case ConvertExpressionAst _:
                    return true;
                case UnaryExpressionAst unary:
                    return unary.TokenKind != TokenKind.PlusPlus && unary.TokenKind != TokenKind.MinusMinus
                        && unary.TokenKind != TokenKind.PostfixPlusPlus && unary.TokenKind != TokenKind.PostfixMinusMinus;
                case MemberExpressionAst member:
                    // A property read; a method call (InvokeMemberExpressionAst) could do anything.
                    return !(member is InvokeMemberExpressionAst);
                case VariableExpressionAst variable:
                    return !variable.Splatted && (variable.Parent is UsingExpressionAst || s_inlineVariables.Contains(variable.VariablePath.UserPath));
                default:
                    return false;
            }
        }
    }
}

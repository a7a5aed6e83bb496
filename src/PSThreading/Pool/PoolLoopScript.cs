using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PSThreading.Pool
{
    /// <summary>
    /// The script a pool worker runs: one loop that takes item after item from its <see cref="PoolWorker"/>.
    /// Two shapes. The general one calls the user's block with <c>&amp;</c> for each item, in a fresh local
    /// scope (about 15-20 µs an item here). For a block that cannot leave anything behind in a scope (no
    /// assignment, no function, no flow control, no -*Variable parameter: typically <c>{ $_ * 2 }</c>),
    /// the block's statements are placed in the loop itself: 2-5 µs an item, the same result.
    /// </summary>
    internal static class PoolLoopScript
    {
        private const string Header = @"
param($__PoolFeed, $__PoolBlockText, [object[]] $__PoolArguments)
";

        // `& $block` runs the block in a local scope: compiled variable slots, 8-11x faster than dot-sourcing.
        // `$_` set in the loop's scope is what the block reads as $_ / $PSItem. The do/while catches a stray
        // break or continue in the user's block, which would otherwise end this loop. The block writes to the
        // invocation's output, which the feed keeps per item: `exit` ends the whole invocation, and what the
        // item wrote before it is then still there (collected into a variable it would be lost).
        private const string CallingLoop = Header + @"
$__PoolBlock = [scriptblock]::Create($__PoolBlockText)
while ($__PoolFeed.MoveNext()) {
    $_ = $__PoolFeed.Current
    try {
        do {
            & $__PoolBlock @__PoolArguments
        } while ($false)
        $__PoolFeed.Complete()
    }
    catch {
        $__PoolFeed.Fail($_)
    }
}
";

        private const string InlineLoopStart = Header + @"
while ($__PoolFeed.MoveNext()) {
    $_ = $__PoolFeed.Current
    try {
        $__PoolFeed.Complete(@(
";

        private const string InlineLoopEnd = @"
        ))
    }
    catch {
        $__PoolFeed.Fail($_)
    }
}
";

        // Variables whose value differs between a block of its own and statements placed in the loop.
        private static readonly HashSet<string> s_scopeVariables = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "args", "input", "PSBoundParameters", "MyInvocation", "PSCmdlet", "PSScriptRoot", "PSCommandPath",
            "__PoolFeed", "__PoolBlockText", "__PoolArguments", "__PoolBlock", "__PoolOutput",
        };

        // Commands that set a variable in the scope they run in.
        private static readonly HashSet<string> s_variableCommands = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Set-Variable", "New-Variable", "Remove-Variable", "Clear-Variable", "set", "sv", "nv", "rv", "clv",
        };

        // Common parameters that create a variable (-OutVariable, -ErrorVariable, ...), as the prefixes a
        // user may abbreviate them to, and their aliases.
        private static readonly string[] s_variableParameterPrefixes = { "out", "err", "warn", "inf", "pipe" };
        private static readonly HashSet<string> s_variableParameterAliases = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "ov", "ev", "wv", "iv", "pv",
        };

        /// <summary>The loop script for this block: inline when that cannot change what the block does.</summary>
        public static string For(ScriptBlock block)
        {
            if (block.Ast is ScriptBlockAst ast && CanInline(ast))
            {
                string inline = InlineLoopStart + block.ToString() + InlineLoopEnd;
                Parser.ParseInput(inline, out _, out ParseError[] errors);
                if (errors.Length == 0)
                {
                    return inline;
                }
            }

            return CallingLoop;
        }

        internal static bool CanInline(ScriptBlockAst ast)
        {
            if (ast.ParamBlock != null || ast.BeginBlock != null || ast.ProcessBlock != null || ast.DynamicParamBlock != null
                || ast.EndBlock == null || ast.EndBlock.Unnamed == false || ast.UsingStatements.Count > 0 || ast.ScriptRequirements != null)
            {
                return false;
            }

            // Nested blocks count too: ForEach-Object and Where-Object run theirs in the loop's scope.
            return !ast.EndBlock.FindAll(LeavesSomethingBehind, searchNestedScriptBlocks: true).Any();
        }

        private static bool LeavesSomethingBehind(Ast node)
        {
            switch (node)
            {
                case AssignmentStatementAst _:
                case ForEachStatementAst _:
                case FunctionDefinitionAst _:
                case TrapStatementAst _:
                case ReturnStatementAst _:
                case ExitStatementAst _:
                case BreakStatementAst _:
                case ContinueStatementAst _:
                case TypeDefinitionAst _:
                    return true;
                case UnaryExpressionAst unary:
                    return unary.TokenKind == TokenKind.PlusPlus || unary.TokenKind == TokenKind.MinusMinus
                        || unary.TokenKind == TokenKind.PostfixPlusPlus || unary.TokenKind == TokenKind.PostfixMinusMinus;
                case VariableExpressionAst variable:
                    return s_scopeVariables.Contains(variable.VariablePath.UserPath) || variable.Splatted;
                case CommandAst command:
                    string? name = command.GetCommandName();
                    return command.InvocationOperator == TokenKind.Dot || (name != null && s_variableCommands.Contains(name));
                case CommandParameterAst parameter:
                    return s_variableParameterAliases.Contains(parameter.ParameterName)
                        || s_variableParameterPrefixes.Any(p => parameter.ParameterName.StartsWith(p, StringComparison.OrdinalIgnoreCase));
                default:
                    return false;
            }
        }
    }
}

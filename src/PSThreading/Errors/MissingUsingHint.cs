using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace PSThreading.Errors
{
    /// <summary>
    /// The commonest mistake with any worker: a block that reads a caller's variable without <c>$using:</c>. The worker
    /// has no such variable, so the read is silently $null (ForEach-Object -Parallel and Start-ThreadJob behave the
    /// same). Warned once per call, on the caller's thread, before anything runs, naming each variable and the fix.
    /// Only a plain read is named: a variable the block (or -Begin) sets anywhere, one that every runspace has, and
    /// a block that may set variables in ways not seen in its text (dot-sourcing, Set-Variable, -OutVariable...) are
    /// left alone, so that a warning is always right.
    /// </summary>
    internal static class MissingUsingHint
    {
        // Variables every runspace has (automatic ones), which a worker reads as its own.
        private static readonly HashSet<string> s_automatic = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "_", "?", "^", "$", "PSItem", "args", "input", "this", "true", "false", "null", "PSBoundParameters", "MyInvocation", "PSCmdlet",
            "PSScriptRoot", "PSCommandPath", "Error", "Host", "HOME", "PID", "PWD", "PSHOME", "PSVersionTable", "ExecutionContext",
            "ShellId", "Matches", "LASTEXITCODE", "StackTrace", "Event", "EventArgs", "EventSubscriber", "Sender", "foreach",
            "switch", "IsLinux", "IsMacOS", "IsWindows", "IsCoreCLR", "NestedPromptLevel", "PSCulture", "PSUICulture", "PSEdition",
            "PSDebugContext", "OFS", "ConsoleFileName", "EnabledExperimentalFeatures", "PSStyle", "OutputEncoding",
            "PSDefaultParameterValues", "PSEmailServer", "PSSessionOption", "PSSessionApplicationName",
            "PSSessionConfigurationName", "FormatEnumerationLimit", "MaximumHistoryCount", "PSThreadingAttempt",
            "PSThreadingMode", "PSSenderInfo", "PSGetPath",
        };

        private static readonly Lazy<HashSet<string>> s_initialVariables = new Lazy<HashSet<string>>(() =>
            new HashSet<string>(InitialSessionState.CreateDefault2().Variables.Select(v => v.Name), StringComparer.OrdinalIgnoreCase));

        // Commands and parameters that set a variable by name, not by an assignment the AST shows.
        private static readonly HashSet<string> s_settingCommands = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Set-Variable", "New-Variable", "sv", "nv", "Invoke-Expression", "iex", "Import-Module", "ipmo", "Import-Clixml",
        };

        private static readonly HashSet<string> s_variableParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "OutVariable", "ov", "ErrorVariable", "ev", "WarningVariable", "wv", "InformationVariable", "iv",
            "PipelineVariable", "pv", "Variable",
        };

        /// <summary>Writes the warning when <paramref name="block"/> reads caller variables it does not have.</summary>
        /// <param name="setup">Blocks that run first in the same worker (-Begin): what they set, the block has.</param>
        /// <param name="which">How the warning names the block: "The block", "The -Begin block"...</param>
        public static void WarnIfAny(PSCmdlet caller, ScriptBlock block, ScriptBlock? setup = null, string which = "The block")
        {
            List<string> missing;
            try
            {
                missing = Find(caller, block, setup);
            }
            catch (Exception)
            {
                // A hint only: never in the way of the call.
                return;
            }

            if (missing.Count == 0)
            {
                return;
            }

            string names = string.Join(", ", missing.Select(n => "$" + n));
            string first = missing[0];
            caller.WriteWarning(
                $"{which} reads {names}, which the caller has but the worker does not: a worker sees none of the caller's variables, so {(missing.Count == 1 ? "it reads" : "each reads")} $null there. " +
                $"Write $using:{first} to use the caller's value (or pass it with -ArgumentList), or set it in the block.");
        }

        private static List<string> Find(PSCmdlet caller, ScriptBlock block, ScriptBlock? setup)
        {
            var missing = new List<string>();
            var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (!CollectSet(block.Ast, set) || (setup != null && !CollectSet(setup.Ast, set)))
            {
                return missing;
            }

            foreach (Ast found in block.Ast.FindAll(a => a is VariableExpressionAst, searchNestedScriptBlocks: true))
            {
                var variable = (VariableExpressionAst)found;
                VariablePath path = variable.VariablePath;
                if (variable.Splatted || !path.IsUnqualified || IsInUsing(variable))
                {
                    continue;
                }

                string name = path.UserPath;
                if (set.Contains(name) || s_automatic.Contains(name) || s_initialVariables.Value.Contains(name)
                    || missing.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                PSVariable? own = caller.SessionState.PSVariable.Get(name);
                // A module's variable: the worker may have it from the same module (-Module), so it is left alone.
                if (own != null && own.Module == null && (own.Options & (ScopedItemOptions.Constant | ScopedItemOptions.AllScope)) == 0)
                {
                    missing.Add(name);
                }
            }

            return missing;
        }

        /// <summary>Adds every variable the block sets to <paramref name="set"/>; false when it may set some unseen.</summary>
        private static bool CollectSet(Ast root, HashSet<string> set)
        {
            foreach (Ast found in root.FindAll(_ => true, searchNestedScriptBlocks: true))
            {
                switch (found)
                {
                    case AssignmentStatementAst assignment:
                        foreach (Ast target in assignment.Left.FindAll(a => a is VariableExpressionAst, searchNestedScriptBlocks: false))
                        {
                            set.Add(Name(((VariableExpressionAst)target).VariablePath));
                        }

                        break;
                    case ForEachStatementAst loop:
                        set.Add(Name(loop.Variable.VariablePath));
                        break;
                    case ParameterAst parameter:
                        set.Add(Name(parameter.Name.VariablePath));
                        break;
                    case ConvertExpressionAst reference when reference.Child is VariableExpressionAst target
                        && string.Equals(reference.Type.TypeName.Name, "ref", StringComparison.OrdinalIgnoreCase):
                        // [int]::TryParse($s, [ref] $n): the method sets it.
                        set.Add(Name(target.VariablePath));
                        break;
                    case UnaryExpressionAst unary when unary.Child is VariableExpressionAst counter:
                        // $i++ reads and sets: a counter the block keeps.
                        set.Add(Name(counter.VariablePath));
                        break;
                    case CommandAst command when command.InvocationOperator == TokenKind.Dot:
                        return false;
                    case CommandAst command when s_settingCommands.Contains(command.GetCommandName() ?? string.Empty):
                        return false;
                    case CommandParameterAst parameter when s_variableParameters.Contains(parameter.ParameterName):
                        return false;
                    case DataStatementAst data when data.Variable != null:
                        set.Add(data.Variable);
                        break;
                }
            }

            return true;
        }

        // $using:x.Count and $using:list[1]: the variable sits below a member or index expression of the $using:.
        private static bool IsInUsing(Ast variable)
        {
            for (Ast? parent = variable.Parent; parent != null && !(parent is ScriptBlockAst); parent = parent.Parent)
            {
                if (parent is UsingExpressionAst)
                {
                    return true;
                }
            }

            return false;
        }

        // The name without its scope ($global:x sets the x the block reads).
        private static string Name(VariablePath path)
        {
            string text = path.UserPath;
            int colon = text.LastIndexOf(':');
            return colon < 0 ? text : text.Substring(colon + 1);
        }
    }
}

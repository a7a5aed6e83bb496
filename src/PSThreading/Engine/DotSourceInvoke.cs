using System;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Management.Automation.Internal;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// Runs a script block dot-sourced in the caller's scope with its output streamed to a cmdlet's output pipe
    /// and its errors to the cmdlet's error pipe: what ForEach-Object does with its blocks
    /// (ScriptBlock.InvokeUsingCmdlet). The public way to stream, <c>InvokeScript(". $args[0]", ...)</c>, runs a
    /// wrapper script and a nested pipeline around the block: 15-30 us a call, more than the block itself for
    /// <c>Invoke-WithLock $lock { $n++ }</c>. Where the member is laid out otherwise, the caller takes the public way.
    /// </summary>
    internal static class DotSourceInvoke
    {
        public const string Name = "DotSourceInvoke";

        private static readonly Action<ScriptBlock, Cmdlet>? s_invoke = Build();

        public static bool IsAvailable => s_invoke != null;

        /// <summary>Runs <paramref name="block"/> as <c>. $block</c> from <paramref name="cmdlet"/>; false (and nothing run) where unavailable.</summary>
        public static bool TryInvoke(ScriptBlock block, Cmdlet cmdlet)
        {
            if (s_invoke == null)
            {
                return false;
            }

            s_invoke(block, cmdlet);
            return true;
        }

        private static Action<ScriptBlock, Cmdlet>? Build()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

            try
            {
                Type? behaviour = typeof(ScriptBlock).GetNestedType("ErrorHandlingBehavior", BindingFlags.NonPublic);
                if (behaviour == null || !behaviour.IsEnum || !Enum.IsDefined(behaviour, "WriteToCurrentErrorPipe"))
                {
                    return null;
                }

                MethodInfo? method = typeof(ScriptBlock).GetMethod(
                    "InvokeUsingCmdlet",
                    BindingFlags.NonPublic | BindingFlags.Instance,
                    null,
                    new[] { typeof(Cmdlet), typeof(bool), behaviour, typeof(object), typeof(object), typeof(object), typeof(object[]) },
                    null);
                if (method == null || method.ReturnType != typeof(void))
                {
                    return null;
                }

                // The arguments the public InvokeScript(string, false, Output | Error, null, ...) gives the engine:
                // no $_ or $this of its own (the caller's stay visible), an empty $input, no arguments.
                ParameterExpression block = Expression.Parameter(typeof(ScriptBlock), "block");
                ParameterExpression cmdlet = Expression.Parameter(typeof(Cmdlet), "cmdlet");
                Expression noValue = Expression.Constant(AutomationNull.Value, typeof(object));
                MethodCallExpression call = Expression.Call(
                    block,
                    method,
                    cmdlet,
                    Expression.Constant(false),
                    Expression.Constant(Enum.Parse(behaviour, "WriteToCurrentErrorPipe"), behaviour),
                    noValue,
                    Expression.Constant(Array.Empty<object>(), typeof(object)),
                    noValue,
                    Expression.Constant(Array.Empty<object>()));
                return Expression.Lambda<Action<ScriptBlock, Cmdlet>>(call, block, cmdlet).Compile();
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}

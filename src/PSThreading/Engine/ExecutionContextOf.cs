using System;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>A local runspace's internal ExecutionContext: where the engine keeps a runspace's state.</summary>
    internal static class ExecutionContextOf
    {
        internal const BindingFlags Members = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

        private static readonly Type? s_localRunspace = typeof(Runspace).Assembly.GetType("System.Management.Automation.Runspaces.LocalRunspace");

        /// <summary>The property, or null where the engine has none of that name.</summary>
        public static readonly PropertyInfo? Property = Find();

        /// <summary>The context of <paramref name="runspace"/>, or null when it is not a local runspace (a remote one, say).</summary>
        public static object? Read(Runspace? runspace)
            => runspace != null && Property != null && s_localRunspace!.IsInstanceOfType(runspace) ? Property.GetValue(runspace) : null;

        /// <summary>A property of an engine type, or null (also when the name became ambiguous).</summary>
        public static PropertyInfo? PropertyOf(Type? type, string name)
        {
            try
            {
                return type?.GetProperty(name, Members);
            }
            catch (AmbiguousMatchException)
            {
                return null;
            }
        }

        private static PropertyInfo? Find() => PropertyOf(s_localRunspace, "ExecutionContext") ?? PropertyOf(s_localRunspace, "GetExecutionContext");
    }
}

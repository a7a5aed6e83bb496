using System;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using PSThreading.Commands;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Errors
{
    /// <summary>
    /// A worker's error record written again by the forwarding cmdlet (a join, a pool call) keeps the worker's
    /// invocation and its plain error id, as Receive-Job's do. WriteError otherwise stamps the record with the
    /// forwarding command, and its FullyQualifiedErrorId gains ",PSThreading.Commands.WaitWorkerThreadCommand".
    /// The engine's switch for that (PreserveInvocationInfoOnce) and its invocation setter are internal: used by
    /// reflection where they exist.
    /// </summary>
    internal static class WorkerErrorRecord
    {
        private static readonly PropertyInfo? s_preserveInvocationOnce =
            typeof(ErrorRecord).GetProperty("PreserveInvocationInfoOnce", BindingFlags.Instance | BindingFlags.NonPublic);

        private static readonly MethodInfo? s_setInvocationInfo = typeof(ErrorRecord).GetMethod(
            "SetInvocationInfo", BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(InvocationInfo) }, null);

        public static void KeepInvocation(ErrorRecord record)
        {
            if (record.InvocationInfo != null && s_preserveInvocationOnce != null && s_preserveInvocationOnce.CanWrite)
            {
                s_preserveInvocationOnce.SetValue(record, true);
            }
        }

        /// <summary>
        /// A new record of <paramref name="original"/>'s error with another exception or target: its id, category,
        /// details and invocation stay, its position moved to <paramref name="position"/> when one is given (the
        /// line in the caller's block that failed, not the forwarding call). ErrorRecord's public copy constructor
        /// keeps the original exception and target, so it cannot serve.
        /// </summary>
        public static ErrorRecord Copy(ErrorRecord original, Exception exception, object? target, IScriptExtent? position = null)
        {
            InvocationInfo? invocation = original.InvocationInfo;
            if (invocation != null && position != null)
            {
                // A cmdlet's error keeps its command (its name leads the message); a script's frame is the module's wrapper.
                invocation = InvocationInfo.Create(invocation.MyCommand as CmdletInfo, position);
            }

            bool keepsInvocation = invocation != null && s_setInvocationInfo != null;
            var copy = new ErrorRecord(exception, keepsInvocation ? PlainId(original) : original.FullyQualifiedErrorId, original.CategoryInfo.Category, target)
            {
                ErrorDetails = original.ErrorDetails,
            };
            if (keepsInvocation)
            {
                s_setInvocationInfo!.Invoke(copy, new object?[] { invocation });
                KeepInvocation(copy);
            }

            return copy;
        }

        /// <summary>The id without the command name the engine appends from the record's invocation (see ErrorRecord.FullyQualifiedErrorId).</summary>
        private static string PlainId(ErrorRecord record)
        {
            string id = record.FullyQualifiedErrorId;
            string suffix = record.InvocationInfo?.MyCommand switch
            {
                CmdletInfo cmdlet => cmdlet.ImplementingType?.FullName ?? string.Empty,
                FunctionInfo or ExternalScriptInfo or ScriptInfo => record.InvocationInfo.MyCommand.Name,
                _ => string.Empty,
            };
            return suffix.Length > 0 && id.EndsWith("," + suffix, StringComparison.Ordinal) ? id.Substring(0, id.Length - suffix.Length - 1) : id;
        }
    }
}

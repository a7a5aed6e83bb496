using System;
using System.Management.Automation;
using System.Management.Automation.Language;
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
    /// The engine's means for that are internal (<see cref="ErrorInvocation"/>); without them this is warned once.
    /// </summary>
    internal static class WorkerErrorRecord
    {
        /// <summary>The next WriteError of <paramref name="record"/> keeps its invocation (warned once where it cannot).</summary>
        public static void KeepInvocation(ErrorRecord record, Cmdlet? writer = null)
        {
            if (record.InvocationInfo != null && !ErrorInvocation.KeepOnce(record))
            {
                FallbackWarning.Once(ErrorInvocation.Name, writer);
            }
        }

        /// <summary>
        /// A new record of <paramref name="original"/>'s error with another exception or target: its id, category,
        /// details and invocation stay, its position moved to <paramref name="position"/> when one is given (the
        /// line in the caller's block that failed, not the forwarding call). ErrorRecord's public copy constructor
        /// keeps the original exception and target, so it cannot serve.
        /// </summary>
        public static ErrorRecord Copy(ErrorRecord original, Exception exception, object? target, IScriptExtent? position = null, Cmdlet? writer = null)
        {
            InvocationInfo? invocation = original.InvocationInfo;
            if (invocation != null && position != null)
            {
                // A cmdlet's error keeps its command (its name leads the message); a script's frame is the module's wrapper.
                invocation = InvocationInfo.Create(invocation.MyCommand as CmdletInfo, position);
            }

            bool keepsInvocation = invocation != null && ErrorInvocation.IsAvailable;
            var copy = new ErrorRecord(exception, keepsInvocation ? PlainId(original) : original.FullyQualifiedErrorId, original.CategoryInfo.Category, target)
            {
                ErrorDetails = original.ErrorDetails,
            };
            if (keepsInvocation)
            {
                ErrorInvocation.TrySet(copy, invocation!);
            }
            else if (invocation != null)
            {
                FallbackWarning.Once(ErrorInvocation.Name, writer);
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

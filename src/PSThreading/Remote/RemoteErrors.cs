using System;
using System.Globalization;
using System.Management.Automation;
using PSThreading.Core.Pool;
using PSThreading.Errors;

namespace PSThreading.Remote
{
    /// <summary>The errors of a remote call that name their node: a session lost, a module missing there, a session not open.</summary>
    internal static class RemoteErrors
    {
        public static ErrorRecord LostTwice(PoolWorkItem item, RemoteNode node, Exception? reason) => RemoteRecords.NodeError(
            new RemoteSessionLostException(string.Format(
                CultureInfo.InvariantCulture,
                "Item {0} lost its session twice, the second time on {1} ({2}), and was not run again.",
                Describe(item),
                node.ComputerName,
                Reason(reason))),
            ErrorIds.RemoteSessionLost,
            ErrorCategory.ConnectionError,
            item.Input,
            node);

        public static ErrorRecord NoSessionLeft(PoolWorkItem item, RemoteNode node) => RemoteRecords.NodeError(
            new RemoteSessionLostException(string.Format(
                CultureInfo.InvariantCulture,
                "Item {0} could not run: every session given to -Session was lost, the last one to {1}. Open new sessions (New-PSSession) and run the failed items again.",
                Describe(item),
                node.ComputerName)),
            ErrorIds.RemoteSessionLost,
            ErrorCategory.ConnectionError,
            item.Input,
            node);

        public static ErrorRecord ModuleMissing(PoolWorkItem item, RemoteNode node, string module, string reason) => RemoteRecords.NodeError(
            new ItemNotFoundException(string.Format(
                CultureInfo.InvariantCulture,
                "Item {0} was not run: module '{1}' could not be imported on {2}: {3} Install the module on that node (or leave it out of -Module).",
                Describe(item),
                module,
                node.ComputerName,
                reason)),
            ErrorIds.ModuleNotFound,
            ErrorCategory.ObjectNotFound,
            item.Input,
            node);

        public static ErrorRecord ScriptFailed(PoolWorkItem item, RemoteNode node, Exception? reason) => RemoteRecords.NodeError(
            new RuntimeException(string.Format(CultureInfo.InvariantCulture, "Item {0} could not run on {1}: {2}", Describe(item), node.ComputerName, Reason(reason)), reason),
            ErrorIds.RemoteScriptFailed,
            ErrorCategory.NotSpecified,
            item.Input,
            node);

        public static string Reason(Exception? reason) => reason?.Message ?? "the session broke";

        private static string Describe(PoolWorkItem item)
        {
            object? input = item.Input;
            string text = input == null ? "null" : LanguagePrimitives.ConvertTo<string>(input) ?? string.Empty;
            text = text.Length > 80 ? text.Substring(0, 77) + "..." : text;
            return string.Format(CultureInfo.InvariantCulture, "'{0}' (#{1})", text, item.Index + 1);
        }
    }

    /// <summary>An item's session broke under it once too often, or no session was left to run it.</summary>
    internal sealed class RemoteSessionLostException : Exception
    {
        public RemoteSessionLostException(string message)
            : base(message)
        {
        }
    }
}

using System;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;

namespace PSThreading.Remote
{
    /// <summary>
    /// What comes back from a node, marked with the node as Invoke-Command marks it: output gets
    /// <c>PSComputerName</c>, <c>RunspaceId</c> and <c>PSShowComputerName</c>; errors and information records become the remoting records that carry an
    /// <see cref="OriginInfo"/>; warning, verbose and debug text starts with the node's name in brackets (their
    /// remoting records reach the host even when the stream is redirected: seen here with 3>$null).
    /// </summary>
    internal static class RemoteRecords
    {
        public static PSObject Output(object? value, RemoteNode node)
        {
            PSObject output = value as PSObject ?? PSObject.AsPSObject(value ?? string.Empty);
            SetNote(output, "PSComputerName", node.ComputerName);
            SetNote(output, "RunspaceId", node.RunspaceId);
            SetNote(output, "PSShowComputerName", true);
            return output;
        }

        public static ErrorRecord Error(ErrorRecord error, RemoteNode node)
        {
            if (error is RemotingErrorRecord remoting && remoting.OriginInfo != null)
            {
                return Named(remoting, node);
            }

            var record = new RemotingErrorRecord(error, node.Origin);
            return Named(record, node);
        }

        /// <summary>An error of this module about a node (RemoteSessionLost, ModuleNotFound), with the node as its origin.</summary>
        public static ErrorRecord NodeError(Exception exception, string errorId, ErrorCategory category, object? target, RemoteNode node) =>
            new RemotingErrorRecord(new ErrorRecord(exception, errorId, category, target), node.Origin);

        public static object Record(object record, RemoteNode node)
        {
            switch (record)
            {
                case ErrorRecord error:
                    return Error(error, node);
                case WarningRecord warning:
                    return new WarningRecord(Prefixed(warning.Message, node));
                case VerboseRecord verbose:
                    return new VerboseRecord(Prefixed(verbose.Message, node));
                case DebugRecord debug:
                    return new DebugRecord(Prefixed(debug.Message, node));
                case InformationRecord information:
                    var named = new RemotingInformationRecord(information, node.Origin);
                    if (!named.Tags.Contains("PSComputerName:" + node.ComputerName))
                    {
                        named.Tags.Add("PSComputerName:" + node.ComputerName);
                    }

                    named.Source = string.IsNullOrEmpty(named.Source) ? node.ComputerName : named.Source;
                    return named;
                case ProgressRecord progress:
                    return new RemotingProgressRecord(progress, node.Origin);
                default:
                    return record;
            }
        }

        private static ErrorRecord Named(ErrorRecord record, RemoteNode node)
        {
            // The text a person reads names the node; the exception's own message stays as thrown.
            string message = record.ErrorDetails?.Message ?? record.Exception?.Message ?? string.Empty;
            if (!message.StartsWith("[" + node.ComputerName + "]", StringComparison.Ordinal))
            {
                record.ErrorDetails = new ErrorDetails(Prefixed(message, node)) { RecommendedAction = record.ErrorDetails?.RecommendedAction };
            }

            return record;
        }

        private static string Prefixed(string message, RemoteNode node) =>
            message.StartsWith("[" + node.ComputerName + "]", StringComparison.Ordinal) ? message : $"[{node.ComputerName}] {message}";

        private static void SetNote(PSObject target, string name, object value)
        {
            PSPropertyInfo? existing = target.Properties[name];
            if (existing is PSNoteProperty note)
            {
                note.Value = value;
            }
            else if (existing == null)
            {
                target.Properties.Add(new PSNoteProperty(name, value));
            }
        }
    }
}

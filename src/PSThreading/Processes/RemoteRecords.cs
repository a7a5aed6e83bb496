using System;
using System.Management.Automation;

namespace PSThreading.Processes
{
    /// <summary>
    /// Records from another process, made what they are in a thread. Write-Host in another process arrives as an information record whose message is a deserialized
    /// HostInformationMessage: rebuilt here so that the caller's host shows it with its colours, as Write-Host
    /// in a thread shows.
    /// </summary>
    internal static class RemoteRecords
    {
        private const string HostTag = "PSHOST";

        // What Read-Host and other prompts in the child fail with: its runspace has no host to ask.
        private const string NoHostErrorId = "HostFunctionNotImplemented";

        /// <summary>A record from the child as the caller should see it; most pass unchanged.</summary>
        public static object Revive(object record) => record switch
        {
            InformationRecord information => Revive(information),
            ErrorRecord error when error.FullyQualifiedErrorId.StartsWith(NoHostErrorId, StringComparison.Ordinal) => PromptNotAnswered(error),
            _ => record,
        };

        private static ErrorRecord PromptNotAnswered(ErrorRecord error)
        {
            var unanswered = new PSInvalidOperationException(
                "A prompt (Read-Host, -Confirm, Get-Credential) in a worker process (-Isolation Process) cannot be answered: the process has no console. " +
                "Ask in the caller and pass the answer with -ArgumentList or $using:, or use -Isolation Runspace, whose prompts the join answers.",
                error.Exception);
            return new ErrorRecord(unanswered, PSThreading.Errors.ErrorIds.PromptNotAnswered, ErrorCategory.NotImplemented, error.TargetObject);
        }

        public static InformationRecord Revive(InformationRecord record)
        {
            if (!(record.MessageData is PSObject data) || data.BaseObject is HostInformationMessage || !record.Tags.Contains(HostTag))
            {
                return record;
            }

            var message = new HostInformationMessage
            {
                Message = data.Properties["Message"]?.Value?.ToString() ?? string.Empty,
                NoNewLine = LanguagePrimitives.IsTrue(data.Properties["NoNewLine"]?.Value),
                ForegroundColor = Color(data.Properties["ForegroundColor"]?.Value),
                BackgroundColor = Color(data.Properties["BackgroundColor"]?.Value),
            };
            var revived = new InformationRecord(message, record.Source)
            {
                TimeGenerated = record.TimeGenerated,
                User = record.User,
                Computer = record.Computer,
                ProcessId = record.ProcessId,
                NativeThreadId = record.NativeThreadId,
                ManagedThreadId = record.ManagedThreadId,
            };
            revived.Tags.AddRange(record.Tags);
            return revived;
        }

        private static ConsoleColor? Color(object? value)
            => value != null && LanguagePrimitives.TryConvertTo(value, out ConsoleColor color) ? color : (ConsoleColor?)null;
    }
}

using System;
using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Streams
{
    /// <summary>
    /// Tells a host UI's text write that shows an information record (Write-Host, or Write-Information under
    /// Continue) from raw host text (Out-Host, Out-Default, $Host.UI.WriteLine). The engine hands the record to the
    /// UI's WriteInformation, then writes its text with Write/WriteLine on the same thread: a record's text comes
    /// back through the information stream, while raw text has no record and would be lost where the UI shows
    /// nothing (a pool item, -HoldHostOutput) unless the UI makes one (<see cref="AsRecord"/>).
    /// </summary>
    internal static class RecordDisplay
    {
        [ThreadStatic]
        private static InformationRecord? t_pending;

        /// <summary>From WriteInformation: the next text write on this thread may be this record's.</summary>
        public static void Note(InformationRecord record) => t_pending = record;

        /// <summary>
        /// Whether <paramref name="text"/> is the noted record's text (the note is used up either way); the record
        /// is given so the UI can tell host text (HostInformationMessage) from an information message.
        /// </summary>
        public static bool TakeRecordOf(string text, out InformationRecord? record)
        {
            record = t_pending;
            t_pending = null;
            if (record == null)
            {
                return false;
            }

            string shown = record.MessageData is HostInformationMessage host ? host.Message : record.ToString();
            if (string.Equals(shown, text, StringComparison.Ordinal))
            {
                return true;
            }

            record = null;
            return false;
        }

        /// <summary>Raw host text as the record Write-Host would have made of it, so a join or a pool call writes it once.</summary>
        public static InformationRecord AsRecord(string text, bool newLine, ConsoleColor? foreground = null, ConsoleColor? background = null)
        {
            var message = new HostInformationMessage
            {
                Message = text,
                NoNewLine = !newLine,
                ForegroundColor = foreground,
                BackgroundColor = background,
            };
            var record = new InformationRecord(message, "Out-Host");
            record.Tags.Add(HostRecords.Tag);
            return record;
        }
    }
}

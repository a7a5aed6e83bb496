using System.Management.Automation;

namespace PSThreading.Streams
{
    /// <summary>Information records that are host text: what Write-Host (and the host's own writes) produce.</summary>
    internal static class HostRecords
    {
        /// <summary>The tag PowerShell puts on the information records of Write-Host.</summary>
        public const string Tag = "PSHOST";

        public static bool IsHostRecord(InformationRecord record) => record.Tags.Contains(Tag);
    }
}

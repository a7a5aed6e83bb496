using System;
using System.Management.Automation.Host;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// Adds host text to the transcripts (Start-Transcript) of the thread's default runspace. PowerShell
    /// transcribes Write-Host in the command runtime of the runspace that wrote it, so a worker's lines went to
    /// the worker runspace's transcripts, which are none; the host UI's internal TranscribeResult is what it calls.
    /// Absent (another PowerShell), nothing is transcribed and the text is still written: warned once at a start.
    /// </summary>
    internal static class HostTranscript
    {
        public const string Name = "Transcript";

        private static readonly MethodInfo? s_transcribeResult = Find();

        public static bool IsAvailable => s_transcribeResult != null;

        public static void Add(PSHostUserInterface ui, string text)
        {
            try
            {
                s_transcribeResult?.Invoke(ui, new object[] { text });
            }
            catch (TargetInvocationException)
            {
                // A transcript that cannot be written (its file gone, say) does not fail the worker's Write-Host.
            }
        }

        private static MethodInfo? Find()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

            try
            {
                return typeof(PSHostUserInterface).GetMethod("TranscribeResult", BindingFlags.NonPublic | BindingFlags.Instance, null, new[] { typeof(string) }, null);
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}

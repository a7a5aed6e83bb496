using System.Collections.Concurrent;
using System.Management.Automation;
using PSThreading.Streams;

namespace PSThreading.Engine
{
    /// <summary>
    /// The one warning a fallback that loses data or closes something writes, once per process: the user hears
    /// what is lost instead of seeing it silently dropped, and is not told again at every record.
    /// </summary>
    internal static class FallbackWarning
    {
        private static readonly ConcurrentDictionary<string, bool> s_warned = new ConcurrentDictionary<string, bool>();

        /// <summary>
        /// Writes the warning for <paramref name="capability"/> unless written before: through <paramref name="cmdlet"/>
        /// (on its pipeline thread, so -WarningAction applies), or else through the runspace running on this thread.
        /// </summary>
        public static void Once(string capability, Cmdlet? cmdlet = null)
        {
            if (!s_warned.TryAdd(capability, true))
            {
                return;
            }

            string message = EngineCapabilities.FallbackMessage(capability);
            if (cmdlet != null)
            {
                cmdlet.WriteWarning(message);
            }
            else
            {
                MethodCallWarning.Write(message);
            }
        }
    }
}

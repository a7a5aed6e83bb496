using System.Management.Automation;

namespace PSThreading.Runtime
{
    /// <summary>Writes a record a block wrote (error, warning, verbose, debug, information, progress) to the cmdlet's stream of the same kind.</summary>
    internal static class StreamRecords
    {
        /// <summary>On the cmdlet's pipeline thread. Anything else is not a stream record and is left out.</summary>
        public static void Write(Cmdlet cmdlet, object record)
        {
            switch (record)
            {
                case ErrorRecord error:
                    cmdlet.WriteError(error);
                    break;
                case WarningRecord warning:
                    cmdlet.WriteWarning(warning.Message);
                    break;
                case VerboseRecord verbose:
                    cmdlet.WriteVerbose(verbose.Message);
                    break;
                case DebugRecord debug:
                    cmdlet.WriteDebug(debug.Message);
                    break;
                case InformationRecord information:
                    cmdlet.WriteInformation(information);
                    break;
                case ProgressRecord progress:
                    cmdlet.WriteProgress(progress);
                    break;
            }
        }
    }
}

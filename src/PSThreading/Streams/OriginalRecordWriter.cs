using System;
using System.Management.Automation;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Values;

namespace PSThreading.Streams
{
    /// <summary>
    /// Writes the records a block wrote elsewhere (a worker, a pool item, an inline block) through the cmdlet that
    /// forwards them, as the records they are: errors keep their id and the block's invocation, warnings, verbose
    /// and debug records their InvocationInfo (in -WarningVariable), where the public API takes only a message.
    /// The engine's own record overloads are internal (<see cref="OriginalRecords"/>), with the message overloads as
    /// the fallback, warned once. A verbose or debug record was already let through by the preference where it was written
    /// (Start-WorkerThread -Verbose, or Write-Verbose -Verbose in the block), so the forwarding cmdlet writes it
    /// unless its own -Verbose:$false / -Debug:$false says otherwise: the decision was made at the source, and a
    /// forwarding layer's default SilentlyContinue would drop it (also one layer down, a pool inside a worker).
    /// </summary>
    internal sealed class OriginalRecordWriter
    {
        private readonly Cmdlet _cmdlet;
        private readonly object _runtime;
        private readonly bool _forceVerbose;
        private readonly bool _forceDebug;

        public OriginalRecordWriter(PSCmdlet cmdlet)
        {
            _cmdlet = cmdlet;
            _runtime = cmdlet.CommandRuntime;
            var bound = cmdlet.MyInvocation.BoundParameters;
            bool isEngineRuntime = OriginalRecords.IsEngineRuntime(_runtime);
            _forceVerbose = isEngineRuntime && !bound.ContainsKey("Verbose") && !bound.ContainsKey("Debug");
            _forceDebug = isEngineRuntime && !bound.ContainsKey("Debug");
        }

        /// <summary>On the cmdlet's pipeline thread: a record to the stream of its kind; anything else is left out.</summary>
        public void Write(object record)
        {
            switch (record)
            {
                case ErrorRecord error:
                    WorkerErrorRecord.KeepInvocation(error, _cmdlet);
                    _cmdlet.WriteError(error);
                    break;
                case WarningRecord warning:
                    WriteWarning(warning);
                    break;
                case VerboseRecord verbose:
                    WriteVerbose(verbose);
                    break;
                case DebugRecord debug:
                    WriteDebug(debug);
                    break;
                case InformationRecord information:
                    _cmdlet.WriteInformation(information);
                    break;
                case ProgressRecord progress:
                    _cmdlet.WriteProgress(progress);
                    break;
            }
        }

        public void WriteWarning(WarningRecord record)
        {
            if (!OriginalRecords.TryWrite(_runtime, record))
            {
                WarnRecordsAsMessages();
                _cmdlet.WriteWarning(record.Message);
            }
        }

        public void WriteVerbose(VerboseRecord record)
        {
            bool? was = _forceVerbose ? VerboseSwitch.ForceVerbose(_runtime) : null;
            if (_forceVerbose && !VerboseSwitch.IsAvailable && IsSilenced("VerbosePreference"))
            {
                FallbackWarning.Once(VerboseSwitch.Name, _cmdlet);
            }

            try
            {
                if (!OriginalRecords.TryWrite(_runtime, record))
                {
                    WarnRecordsAsMessages();
                    _cmdlet.WriteVerbose(record.Message);
                }
            }
            finally
            {
                VerboseSwitch.RestoreVerbose(_runtime, was);
            }
        }

        public void WriteDebug(DebugRecord record)
        {
            bool? was = _forceDebug ? VerboseSwitch.ForceDebug(_runtime) : null;
            if (_forceDebug && !VerboseSwitch.IsAvailable && IsSilenced("DebugPreference"))
            {
                FallbackWarning.Once(VerboseSwitch.Name, _cmdlet);
            }

            try
            {
                if (!OriginalRecords.TryWrite(_runtime, record))
                {
                    WarnRecordsAsMessages();
                    _cmdlet.WriteDebug(record.Message);
                }
            }
            finally
            {
                VerboseSwitch.RestoreDebug(_runtime, was);
            }
        }

        private void WarnRecordsAsMessages()
        {
            if (OriginalRecords.IsEngineRuntime(_runtime))
            {
                FallbackWarning.Once(OriginalRecords.Name, _cmdlet);
            }
        }

        /// <summary>True when the forwarding command's own preference drops records of this stream: without the switch, they are lost.</summary>
        private bool IsSilenced(string preference)
        {
            object? value = _cmdlet is PSCmdlet forwarding ? forwarding.GetVariableValue(preference) : null;
            return !LanguagePrimitives.TryConvertTo(value, out ActionPreference action)
                || action == ActionPreference.SilentlyContinue || action == ActionPreference.Ignore;
        }
    }
}

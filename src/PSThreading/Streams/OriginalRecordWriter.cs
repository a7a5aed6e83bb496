using System;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.ExceptionServices;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Values;

namespace PSThreading.Streams
{
    /// <summary>
    /// Writes the records a block wrote elsewhere (a worker, a pool item, an inline block) through the cmdlet that
    /// forwards them, as the records they are: errors keep their id and the block's invocation, warnings, verbose
    /// and debug records their InvocationInfo (in -WarningVariable), where the public API takes only a message.
    /// The engine's own record overloads are internal: reached by reflection, with the message overloads as the
    /// fallback. A verbose or debug record was already let through by the preference where it was written
    /// (Start-WorkerThread -Verbose, or Write-Verbose -Verbose in the block), so the forwarding cmdlet writes it
    /// unless its own -Verbose:$false / -Debug:$false says otherwise: the decision was made at the source, and a
    /// forwarding layer's default SilentlyContinue would drop it (also one layer down, a pool inside a worker).
    /// </summary>
    internal sealed class OriginalRecordWriter
    {
        private const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        private static readonly Type? s_runtimeType = typeof(PSObject).Assembly.GetType("System.Management.Automation.MshCommandRuntime");
        private static readonly MethodInfo? s_writeWarning = RecordOverload(typeof(WarningRecord), "WriteWarning");
        private static readonly MethodInfo? s_writeVerbose = RecordOverload(typeof(VerboseRecord), "WriteVerbose");
        private static readonly MethodInfo? s_writeDebug = RecordOverload(typeof(DebugRecord), "WriteDebug");
        private static readonly FlagPair? s_verboseFlag = FlagPair.Find("Verbose");
        // 5.1's -Debug means Inquire: forcing it there would stop at each line to ask.
        private static readonly FlagPair? s_debugFlag = typeof(PSObject).Assembly.GetName().Version.Major >= 6 ? FlagPair.Find("Debug") : null;

        private readonly Cmdlet _cmdlet;
        private readonly object _runtime;
        private readonly bool _forceVerbose;
        private readonly bool _forceDebug;

        public OriginalRecordWriter(PSCmdlet cmdlet)
        {
            _cmdlet = cmdlet;
            _runtime = cmdlet.CommandRuntime;
            var bound = cmdlet.MyInvocation.BoundParameters;
            bool isEngineRuntime = s_runtimeType != null && s_runtimeType.IsInstanceOfType(_runtime);
            _forceVerbose = isEngineRuntime && s_verboseFlag != null && !bound.ContainsKey("Verbose") && !bound.ContainsKey("Debug");
            _forceDebug = isEngineRuntime && s_debugFlag != null && !bound.ContainsKey("Debug");
        }

        /// <summary>On the cmdlet's pipeline thread: a record to the stream of its kind; anything else is left out.</summary>
        public void Write(object record)
        {
            switch (record)
            {
                case ErrorRecord error:
                    WorkerErrorRecord.KeepInvocation(error);
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
            if (!TryInvoke(s_writeWarning, record))
            {
                _cmdlet.WriteWarning(record.Message);
            }
        }

        public void WriteVerbose(VerboseRecord record)
        {
            bool? was = _forceVerbose ? s_verboseFlag!.Force(_runtime) : null;
            try
            {
                if (!TryInvoke(s_writeVerbose, record))
                {
                    _cmdlet.WriteVerbose(record.Message);
                }
            }
            finally
            {
                s_verboseFlag?.Restore(_runtime, was);
            }
        }

        public void WriteDebug(DebugRecord record)
        {
            bool? was = _forceDebug ? s_debugFlag!.Force(_runtime) : null;
            try
            {
                if (!TryInvoke(s_writeDebug, record))
                {
                    _cmdlet.WriteDebug(record.Message);
                }
            }
            finally
            {
                s_debugFlag?.Restore(_runtime, was);
            }
        }

        private bool TryInvoke(MethodInfo? method, object record)
        {
            if (method == null || !method.DeclaringType!.IsInstanceOfType(_runtime))
            {
                return false;
            }

            try
            {
                method.Invoke(_runtime, new[] { record, false });
                return true;
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                // -WarningAction Stop and the like: the engine's own exception, as the public overload throws it.
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }

        private static MethodInfo? RecordOverload(Type recordType, string name) =>
            s_runtimeType?.GetMethod(name, Internal, null, new[] { recordType, typeof(bool) }, null);

        /// <summary>A -Verbose or -Debug switch of the command runtime: its value and whether it was given.</summary>
        private sealed class FlagPair
        {
            private readonly PropertyInfo _value;
            private readonly PropertyInfo _isSet;

            private FlagPair(PropertyInfo value, PropertyInfo isSet)
            {
                _value = value;
                _isSet = isSet;
            }

            public static FlagPair? Find(string name)
            {
                PropertyInfo? value = s_runtimeType?.GetProperty(name, Internal);
                PropertyInfo? isSet = s_runtimeType?.GetProperty("Is" + name + "FlagSet", Internal);
                return value != null && isSet != null && value.PropertyType == typeof(bool) && isSet.PropertyType == typeof(bool)
                    && value.CanWrite && isSet.CanWrite
                    ? new FlagPair(value, isSet)
                    : null;
            }

            /// <summary>Turns the switch on as if given; returns whether it was given before.</summary>
            public bool? Force(object runtime)
            {
                bool wasSet = (bool)_isSet.GetValue(runtime)!;
                if (wasSet)
                {
                    return null;
                }

                _value.SetValue(runtime, true);
                _isSet.SetValue(runtime, true);
                return false;
            }

            public void Restore(object runtime, bool? forced)
            {
                if (forced.HasValue)
                {
                    _value.SetValue(runtime, false);
                    _isSet.SetValue(runtime, false);
                }
            }
        }
    }
}

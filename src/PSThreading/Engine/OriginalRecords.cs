using System;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace PSThreading.Engine
{
    /// <summary>
    /// The engine's command runtime (MshCommandRuntime) writes a warning, verbose or debug record as the record it
    /// is, InvocationInfo and all, through internal overloads; the public Cmdlet methods take only a message.
    /// </summary>
    internal static class OriginalRecords
    {
        public const string Name = "OriginalRecords";

        internal const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

        /// <summary>The engine's command runtime type: the one a cmdlet's CommandRuntime is when PowerShell runs it.</summary>
        internal static readonly Type? RuntimeType = typeof(PSObject).Assembly.GetType("System.Management.Automation.MshCommandRuntime");

        private static readonly MethodInfo? s_writeWarning = RecordOverload(typeof(WarningRecord), "WriteWarning");
        private static readonly MethodInfo? s_writeVerbose = RecordOverload(typeof(VerboseRecord), "WriteVerbose");
        private static readonly MethodInfo? s_writeDebug = RecordOverload(typeof(DebugRecord), "WriteDebug");

        public static bool IsAvailable { get; } = s_writeWarning != null && s_writeVerbose != null && s_writeDebug != null;

        /// <summary>True when <paramref name="runtime"/> is the engine's own (not a host's or a test's stand-in).</summary>
        public static bool IsEngineRuntime(object runtime) => RuntimeType != null && RuntimeType.IsInstanceOfType(runtime);

        public static bool TryWrite(object runtime, WarningRecord record) => TryInvoke(s_writeWarning, runtime, record);

        public static bool TryWrite(object runtime, VerboseRecord record) => TryInvoke(s_writeVerbose, runtime, record);

        public static bool TryWrite(object runtime, DebugRecord record) => TryInvoke(s_writeDebug, runtime, record);

        private static bool TryInvoke(MethodInfo? method, object runtime, object record)
        {
            if (method == null || !method.DeclaringType!.IsInstanceOfType(runtime))
            {
                return false;
            }

            try
            {
                method.Invoke(runtime, new[] { record, false });
                return true;
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                // -WarningAction Stop and the like: the engine's own exception, as the public overload throws it.
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }

        private static MethodInfo? RecordOverload(Type recordType, string name)
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

            try
            {
                return RuntimeType?.GetMethod(name, Internal, null, new[] { recordType, typeof(bool) }, null);
            }
            catch (AmbiguousMatchException)
            {
                return null;
            }
        }
    }
}

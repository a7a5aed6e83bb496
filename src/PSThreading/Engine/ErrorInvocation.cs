using System.Management.Automation;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// An error record's invocation, set and kept: WriteError otherwise stamps a forwarded record with the forwarding
    /// command, and its FullyQualifiedErrorId gains that command's name. The engine's switch for that
    /// (PreserveInvocationInfoOnce) and its invocation setter (SetInvocationInfo) are internal.
    /// </summary>
    internal static class ErrorInvocation
    {
        public const string Name = "ErrorInvocation";

        private static readonly PropertyInfo? s_preserveInvocationOnce;
        private static readonly MethodInfo? s_setInvocationInfo;

        static ErrorInvocation()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return;
            }

            try
            {
                PropertyInfo? preserve = typeof(ErrorRecord).GetProperty("PreserveInvocationInfoOnce", BindingFlags.Instance | BindingFlags.NonPublic);
                s_preserveInvocationOnce = preserve != null && preserve.CanWrite && preserve.PropertyType == typeof(bool) ? preserve : null;
                s_setInvocationInfo = typeof(ErrorRecord).GetMethod(
                    "SetInvocationInfo", BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(InvocationInfo) }, null);
            }
            catch (AmbiguousMatchException)
            {
                s_preserveInvocationOnce = null;
                s_setInvocationInfo = null;
            }
        }

        public static bool IsAvailable => s_preserveInvocationOnce != null && s_setInvocationInfo != null;

        /// <summary>The next WriteError of <paramref name="record"/> keeps its invocation; false when this cannot be said.</summary>
        public static bool KeepOnce(ErrorRecord record)
        {
            if (!IsAvailable)
            {
                return false;
            }

            s_preserveInvocationOnce!.SetValue(record, true);
            return true;
        }

        /// <summary>Gives <paramref name="record"/> <paramref name="invocation"/> and keeps it for the next WriteError.</summary>
        public static bool TrySet(ErrorRecord record, InvocationInfo invocation)
        {
            if (!IsAvailable)
            {
                return false;
            }

            s_setInvocationInfo!.Invoke(record, new object?[] { invocation });
            return KeepOnce(record);
        }
    }
}

using System.Management.Automation;
using System.Reflection;

namespace PSThreading.Runtime
{
    /// <summary>
    /// A worker's error record written again by the joining cmdlet keeps the worker's invocation and its plain
    /// error id, as Receive-Job's do. WriteError otherwise stamps the record with the joining command, and its
    /// FullyQualifiedErrorId gains ",PSThreading.Commands.WaitWorkerThreadCommand". The engine's switch for
    /// that (PreserveInvocationInfoOnce) is internal: set by reflection where it exists.
    /// </summary>
    internal static class WorkerErrorRecord
    {
        private static readonly PropertyInfo? s_preserveInvocationOnce =
            typeof(ErrorRecord).GetProperty("PreserveInvocationInfoOnce", BindingFlags.Instance | BindingFlags.NonPublic);

        public static void KeepInvocation(ErrorRecord record)
        {
            if (record.InvocationInfo != null && s_preserveInvocationOnce != null && s_preserveInvocationOnce.CanWrite)
            {
                s_preserveInvocationOnce.SetValue(record, true);
            }
        }
    }
}

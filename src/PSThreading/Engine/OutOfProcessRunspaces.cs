using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// PowerShell's public API for a runspace in a new pwsh process (<c>PowerShellProcessInstance</c> and
    /// <c>RunspaceFactory.CreateOutOfProcessRunspace(TypeTable, PowerShellProcessInstance)</c>, what Start-Job
    /// uses; public since PowerShell 3) is missing from the PowerShellStandard reference this module compiles
    /// against, so it is reached by its public names here, in the engine seam.
    /// </summary>
    internal static class OutOfProcessRunspaces
    {
        public const string Name = "OutOfProcessRunspaces";

        private static readonly Type? s_instanceType = CapabilityOverride.IsDisabled(Name) ? null : typeof(PSObject).Assembly.GetType("System.Management.Automation.Runspaces.PowerShellProcessInstance");

        private static readonly MethodInfo? s_create = s_instanceType == null ? null : typeof(RunspaceFactory).GetMethod(
            "CreateOutOfProcessRunspace",
            BindingFlags.Public | BindingFlags.Static,
            null,
            new[] { typeof(TypeTable), s_instanceType },
            null);

        private static readonly PropertyInfo? s_process = s_instanceType?.GetProperty("Process", BindingFlags.Public | BindingFlags.Instance);

        public static bool IsAvailable => s_create != null && s_process != null;

        /// <summary>A new, not yet started, pwsh process instance and its Process object (to set its environment).</summary>
        public static (object Instance, Process Process) NewInstance()
        {
            if (!IsAvailable)
            {
                throw new PlatformNotSupportedException("This PowerShell has no out-of-process runspaces (PowerShellProcessInstance): -Isolation Process cannot run here.");
            }

            object instance = Activator.CreateInstance(s_instanceType!)!;
            return (instance, (Process)s_process!.GetValue(instance)!);
        }

        /// <summary>The runspace over that process; its Open() starts the process.</summary>
        public static Runspace CreateRunspace(object instance)
        {
            try
            {
                return (Runspace)s_create!.Invoke(null, new object?[] { null, instance })!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                throw ex.InnerException;
            }
        }

        public static void Dispose(object instance) => (instance as IDisposable)?.Dispose();
    }
}

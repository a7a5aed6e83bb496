using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Core;
using PSThreading.Runtime;

namespace PSThreading
{
    /// <summary>Sets up and tears down the process-wide state when the module is imported and removed.</summary>
    public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        public void OnImport()
        {
            // The first import names its thread MainThread: in pwsh that is the console's pipeline thread.
            ThreadRegistry.EnsureMainThread();
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace == null || !RunspaceCache.IsWorkerRunspace(runspace.InstanceId))
            {
                RunspaceCache.Clear();
            }
        }
    }
}

using System;
using System.Globalization;
using System.Management.Automation.Host;
using PSThreading.Engine;
using PSThreading.Values;

namespace PSThreading.Hosts
{
    /// <summary>
    /// The host of pool worker runspaces, whose user interface shows nothing and hands prompts to the call
    /// (<see cref="PoolWorkerUserInterface"/>). A worker then writes every stream (Write-Host included) only
    /// into its invocation's streams, and the pool's cmdlet writes them once, in the caller, where the
    /// caller's preferences and redirections apply. With the caller's own host each
    /// verbose or warning line would show twice: from the worker and again from the cmdlet.
    /// </summary>
    internal sealed class PoolWorkerHost : PSHost
    {
        public static readonly PoolWorkerHost Instance = new PoolWorkerHost();

        private readonly Guid _instanceId = Guid.NewGuid();
        private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
        private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

        private PoolWorkerHost()
        {
        }

        public override string Name => "PSThreadingPoolWorker";

        public override Version Version => typeof(PoolWorkerHost).Assembly.GetName().Version ?? new Version(0, 0);

        public override Guid InstanceId => _instanceId;

        // A UI that shows nothing and hands prompts to the call that runs the item (see PoolWorkerUserInterface).
        public override PSHostUserInterface? UI => PoolWorkerUserInterface.Instance;

        public override CultureInfo CurrentCulture => _culture;

        public override CultureInfo CurrentUICulture => _uiCulture;

        public override void EnterNestedPrompt() => throw new NotSupportedException("A pool worker cannot enter a nested prompt.");

        public override void ExitNestedPrompt() => throw new NotSupportedException("A pool worker cannot enter a nested prompt.");

        public override void NotifyBeginApplication()
        {
        }

        public override void NotifyEndApplication()
        {
        }

        // `exit` in an item ends only that worker's invocation; the host never closes the process.
        public override void SetShouldExit(int exitCode)
        {
        }
    }
}

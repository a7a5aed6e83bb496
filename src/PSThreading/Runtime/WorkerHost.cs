using System;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;

namespace PSThreading.Runtime
{
    /// <summary>
    /// The host a worker runspace is opened with: the caller's host, so Write-Host shows at once, except that
    /// <c>exit</c> in a worker ends only that worker's script. Handed the caller's host directly, a worker's
    /// <c>exit 3</c> reached the console host's SetShouldExit and ended the whole pwsh process with code 3.
    /// Nested prompts are refused for the same reason: they belong to the caller's thread. Its UI shows only
    /// host text live: the worker's other records come back through the join.
    /// </summary>
    internal sealed class WorkerHost : PSHost
    {
        private readonly PSHost _caller;
        private readonly PSHostUserInterface? _ui;

        public WorkerHost(PSHost caller)
        {
            _caller = caller;
            // Made once: PowerShell keeps the UI a runspace was opened with.
            _ui = caller.UI == null ? null : new WorkerHostUserInterface(caller.UI, this);
        }

        /// <summary>
        /// Set for each thread that takes the runspace (Start-WorkerThread -HoldHostOutput): host text is then
        /// kept for the join instead of shown live.
        /// </summary>
        public bool HoldsHostOutput { get; set; }

        public override string Name => _caller.Name;

        public override Version Version => _caller.Version;

        // The caller's id: warm runspaces are kept per host id, and nested workers share those of the top level.
        public override Guid InstanceId => _caller.InstanceId;

        public override PSHostUserInterface? UI => _ui;

        public override CultureInfo CurrentCulture => _caller.CurrentCulture;

        public override CultureInfo CurrentUICulture => _caller.CurrentUICulture;

        public override PSObject? PrivateData => _caller.PrivateData;

        public override void EnterNestedPrompt() => throw new NotSupportedException("A worker thread cannot enter a nested prompt.");

        public override void ExitNestedPrompt() => throw new NotSupportedException("A worker thread cannot enter a nested prompt.");

        public override void NotifyBeginApplication() => _caller.NotifyBeginApplication();

        public override void NotifyEndApplication() => _caller.NotifyEndApplication();

        // `exit` in a worker ends that worker's script; the process is not the worker's to close.
        public override void SetShouldExit(int exitCode)
        {
        }
    }
}

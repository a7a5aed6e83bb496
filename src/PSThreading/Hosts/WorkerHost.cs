using System;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Hosts
{
    /// <summary>
    /// The host a worker runspace is opened with: the caller's host, with a UI of its own for host text and prompts
    /// (see <see cref="WorkerHostUserInterface"/>), except that <c>exit</c> in a worker ends only that worker's script. Handed the caller's host directly, a worker's
    /// <c>exit 3</c> reached the console host's SetShouldExit and ended the whole pwsh process with code 3.
    /// Nested prompts are refused for the same reason: they belong to the caller's thread. Its UI shows only
    /// host text live: the worker's other records come back through the join.
    /// </summary>
    internal sealed class WorkerHost : PSHost
    {
        private readonly PSHost _caller;
        private readonly WorkerHostUserInterface? _ui;

        public WorkerHost(PSHost caller)
        {
            _caller = caller;
            _ui = caller.UI == null ? null : new WorkerHostUserInterface(caller.UI);
        }

        public override string Name => _caller.Name;

        public override Version Version => _caller.Version;

        // The caller's id: warm runspaces are kept per host id, and nested workers share those of the top level.
        public override Guid InstanceId => _caller.InstanceId;

        public override PSHostUserInterface? UI => _ui;

        /// <summary>The UI as this module's own type: told which worker the runspace runs now.</summary>
        internal WorkerHostUserInterface? WorkerUI => _ui;

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

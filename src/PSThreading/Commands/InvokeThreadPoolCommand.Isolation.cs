using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Pool;
using PSThreading.Processes;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>-Isolation Process: the items run in warm pwsh child processes (see PSThreading.Processes).</summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        /// <summary>Runspace (the default): items share this process. Process: each worker is a pwsh child process of its own.</summary>
        [Parameter]
        public ThreadIsolation Isolation { get; set; } = ThreadIsolation.Runspace;

        /// <summary>With -Isolation Process, a value that lives in this process only is refused before anything starts.</summary>
        private void RefuseWhatCannotCross(WorkerScript script, PoolSetup setup)
        {
            if (Isolation != ThreadIsolation.Process)
            {
                return;
            }

            if (UseNewRunspace)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("-UseNewRunspace and -Isolation Process cannot be used together: a worker process is a clean session already. Leave -UseNewRunspace out."),
                    "IsolationConflict",
                    ErrorCategory.InvalidArgument,
                    null));
            }

            if (Session != null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("-Session and -Isolation Process cannot be used together: with -Session the items run in the sessions' own processes already. Leave -Isolation Process out."),
                    "IsolationConflict",
                    ErrorCategory.InvalidArgument,
                    null));
            }

            const string What = "a worker process (-Isolation Process)";
            CrossProcessValues.CheckOrThrow(this, ArgumentList, script.UsingValues, What);
            CrossProcessValues.CheckOrThrow(this, null, setup.Begin?.UsingValues, What);
            CrossProcessValues.CheckOrThrow(this, null, setup.End?.UsingValues, What);
        }
    }
}

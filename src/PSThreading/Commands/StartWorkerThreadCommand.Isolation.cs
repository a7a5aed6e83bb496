using System;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Errors;
using PSThreading.Lifecycle;
using PSThreading.Processes;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>-Isolation Process: the block runs in a warm pwsh child process (see PSThreading.Processes).</summary>
    public sealed partial class StartWorkerThreadCommand
    {
        /// <summary>Runspace (the default): the thread shares this process. Process: its block runs in a pwsh child process.</summary>
        [Parameter]
        public ThreadIsolation Isolation { get; set; } = ThreadIsolation.Runspace;

        /// <summary>With -Isolation Process, a value that lives in this process only is refused before anything starts.</summary>
        private void RefuseWhatCannotCross(WorkerScript script)
        {
            if (Isolation == ThreadIsolation.Process)
            {
                CrossProcessValues.CheckOrThrow(this, ArgumentList, script.UsingValues, "a worker process (-Isolation Process)");
            }
        }

        /// <summary>Takes a warm process (or starts one: a cold start), then starts the thread that runs the block there.</summary>
        private WorkerThread StartInProcess(WorkerScript script, object[]? arguments, WorkerImports? imports)
        {
            var body = new ProcessThreadBody(script, arguments, CallerContext.Capture(this, CommonPreferences.Bound(this)), imports, ProcessPool.Places);
            RemoteRunspace place;
            try
            {
                place = body.Place;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ThreadStartFailed, ErrorCategory.ResourceUnavailable, Name));
                throw; // Not reached: ThrowTerminatingError always throws.
            }

            ExitJoin.EnsureRegistered(this);
            WorkerThread thread;
            try
            {
                thread = ThreadRegistry.StartWorker(Name, Daemon, body, 0, DelayToWait());
            }
            catch (Exception ex) when (ex is OutOfMemoryException || ex is System.Threading.ThreadStartException)
            {
                body.AfterEnd();
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ThreadStartFailed, ErrorCategory.ResourceUnavailable, Name));
                throw; // Not reached.
            }

            thread.Isolation = ThreadIsolation.Process;
            thread.ProcessId = place.ProcessId;
            return thread;
        }
    }
}

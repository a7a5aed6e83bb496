using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Errors;
using PSThreading.Jobs;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// -AsJob: the whole call runs on a worker thread (<see cref="PoolJob"/>), returned at once as a PowerShell job
    /// (<see cref="ThreadPoolJob"/>) that Wait-WorkerThread also takes. Pipeline input is collected first and the
    /// job starts when it ends, so a job is never left waiting for input.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        private JobInput? _job;

        /// <summary>
        /// Runs the call in the background and returns at once a PowerShell job (ForEach-Object -Parallel -AsJob)
        /// that also stands for the thread running the call.
        /// </summary>
        [Parameter]
        public SwitchParameter AsJob { get; set; }

        private void CollectForJob()
        {
            if (MyInvocation.ExpectingInput)
            {
                _job!.Items.Add(InputObject == null ? null : InputObject.Length == 1 ? InputObject[0] : InputObject);
            }
            else if (InputObject != null)
            {
                _job!.Items.AddRange(InputObject);
            }
        }

        private void StartJob()
        {
            WorkerThread thread;
            var results = new JobResults();
            try
            {
                thread = PoolJob.Start(this, _job!.Script, _job.Setup, _job.Items, ArgumentList, results);
            }
            catch (Exception ex) when (ex is OutOfMemoryException || ex is System.Threading.ThreadStartException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ThreadStartFailed, ErrorCategory.ResourceUnavailable, null));
                return;
            }

            WriteObject(ThreadPoolJob.Register(this, thread, results, _job.Script.Text));
        }

        /// <summary>What -AsJob gathers before the job starts: the prepared block and set-up, and every input item.</summary>
        private sealed class JobInput
        {
            public JobInput(WorkerScript script, PoolSetup setup)
            {
                Script = script;
                Setup = setup;
            }

            public WorkerScript Script { get; }

            public PoolSetup Setup { get; }

            public List<object?> Items { get; } = new List<object?>();
        }
    }
}

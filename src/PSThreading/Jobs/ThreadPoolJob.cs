using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Values;
using PSThreading.Workers;

namespace PSThreading.Jobs
{
    /// <summary>
    /// What <c>Invoke-ThreadPool -AsJob</c> returns: a PowerShell job (Get-Job, Receive-Job, Wait-Job, Stop-Job,
    /// Remove-Job, its StateChanged event) around the worker thread that runs the call, which Wait-WorkerThread,
    /// Stop-WorkerThread and Get-ActiveThread take as any thread (see <see cref="ThreadPoolJobConverter"/>).
    /// Its state follows the thread's. Created only by Invoke-ThreadPool; public because PowerShell's job
    /// cmdlets and the user's scripts see it.
    /// </summary>
    [TypeConverter(typeof(ThreadPoolJobConverter))]
    public sealed class ThreadPoolJob : Job2
    {
        internal const string TypeName = "PSThreadingJob";

        // Stop-Job waits this long for the call to stop; a thread inside a .NET call that cannot be interrupted
        // ends later, and the job shows Stopped then.
        private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(2);

        // The job of each -AsJob thread, for as long as the thread is referenced.
        private static readonly ConditionalWeakTable<WorkerThread, ThreadPoolJob> s_byThread = new ConditionalWeakTable<WorkerThread, ThreadPoolJob>();

        private readonly JobResults _results;
        private int _ended;

        private ThreadPoolJob(WorkerThread thread, JobResults results, string command)
            : base(command, thread.Name)
        {
            Thread = thread;
            _results = results;
            PSJobTypeName = TypeName;
            Output = results.Output;
            Error = results.Error;
            Warning = results.Warning;
            Verbose = results.Verbose;
            Debug = results.Debug;
            Information = results.Information;
            // Nothing writes progress to a job: a bar drawn from the background would land over the prompt.
            Progress.EnumeratorNeverBlocks = true;
        }

        /// <summary>The worker thread that runs the call: what Wait-WorkerThread, Stop-WorkerThread and Get-ActiveThread see.</summary>
        public WorkerThread Thread { get; }

        /// <summary>The thread's id, as Get-ActiveThread -Id takes it.</summary>
        public int ManagedThreadId => Thread.ManagedThreadId;

        /// <summary>
        /// True while the call runs. The job takes its outcome just before the thread's state says so; once Wait-Job has
        /// seen a final state, this is false too.
        /// </summary>
        public bool IsAlive => Thread.IsAlive && Volatile.Read(ref _ended) == 0;

        /// <summary>How long the call has run (so far, while it runs).</summary>
        public TimeSpan RunningTime => Thread.RunningTime;

        public override bool HasMoreData => _results.HeldCount > 0;

        public override string Location => "localhost";

        public override string StatusMessage => string.Empty;

        /// <summary>
        /// Wraps <paramref name="thread"/>, started by Invoke-ThreadPool -AsJob with <paramref name="results"/> as the
        /// holder of its results, and adds the job to the caller's session as ThreadJob adds its own: through
        /// the job manager and this module's <see cref="ThreadPoolJobSourceAdapter"/>.
        /// </summary>
        internal static ThreadPoolJob Register(PSCmdlet caller, WorkerThread thread, JobResults results, string command)
        {
            var job = new ThreadPoolJob(thread, results, command);
            s_byThread.Add(thread, job);
            job.SetJobState(JobState.Running);
            // Called at once when the thread ended before the job could hear it.
            results.OnEnded(job.OnThreadEnded);

            ThreadPoolJobSourceAdapter.Add(caller, job);
            return job;
        }

        /// <summary>The job whose call <paramref name="thread"/> runs, or null for any other thread.</summary>
        internal static ThreadPoolJob? Of(WorkerThread thread) => s_byThread.TryGetValue(thread, out ThreadPoolJob? job) ? job : null;

        public override void StartJob() =>
            throw new InvalidOperationException($"Job '{Name}' started when Invoke-ThreadPool -AsJob returned it; it cannot be started again.");

        public override void StartJobAsync() => StartJob();

        /// <summary>Stops the call as Stop-WorkerThread does, and waits a moment for it to end.</summary>
        public override void StopJob()
        {
            Thread.RequestStop();
            Thread.EndedHandle.WaitOne(s_stopGrace);
        }

        public override void StopJob(bool force, string reason) => StopJob();

        public override void StopJobAsync() => System.Threading.ThreadPool.QueueUserWorkItem(_ =>
        {
            Exception? error = null;
            try
            {
                StopJob();
            }
            catch (Exception ex)
            {
                error = ex;
            }

            OnStopJobCompleted(new AsyncCompletedEventArgs(error, false, null));
        });

        public override void StopJobAsync(bool force, string reason) => StopJobAsync();

        public override void SuspendJob() => throw NotSupported("suspended");

        public override void SuspendJob(bool force, string reason) => throw NotSupported("suspended");

        public override void SuspendJobAsync() => throw NotSupported("suspended");

        public override void SuspendJobAsync(bool force, string reason) => throw NotSupported("suspended");

        public override void ResumeJob() => throw NotSupported("resumed");

        public override void ResumeJobAsync() => throw NotSupported("resumed");

        public override void UnblockJob() => throw NotSupported("unblocked");

        public override void UnblockJobAsync() => throw NotSupported("unblocked");

        /// <summary>Remove-Job: an ended thread whose results the job held is no longer found by name or id either.</summary>
        internal void Forget()
        {
            if (!Thread.IsAlive)
            {
                ThreadRegistry.Unregister(Thread);
            }
        }

        private static PSNotSupportedException NotSupported(string what) =>
            new PSNotSupportedException($"An Invoke-ThreadPool -AsJob job cannot be {what}: stop it with Stop-Job or Stop-WorkerThread.");

        /// <summary>
        /// The thread ended: the job takes its outcome, once, on the thread before its joins wake (so that after
        /// <c>$job | Wait-WorkerThread</c> the job's state is final). Every result is in the job's streams already (the
        /// thread hands them over as it writes them), so a Receive-Job -Wait woken by this state change misses nothing.
        /// </summary>
        private void OnThreadEnded(WorkerState outcome)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            switch (outcome)
            {
                case WorkerState.Failed:
                    // Its WorkerThreadFailed record is in the Error stream already (see ScriptThreadBody).
                    SetJobState(JobState.Failed);
                    break;
                case WorkerState.Stopped:
                    SetJobState(JobState.Stopped);
                    break;
                default:
                    SetJobState(JobState.Completed);
                    break;
            }
        }
    }
}

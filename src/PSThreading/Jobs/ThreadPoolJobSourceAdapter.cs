using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Jobs
{
    /// <summary>
    /// Lists Invoke-ThreadPool -AsJob jobs to Get-Job and removes them for Remove-Job. PowerShell registers it with
    /// a session's job manager when the module is imported (it registers every exported job source adapter); not
    /// user API: public because the job manager creates it.
    /// </summary>
    public sealed class ThreadPoolJobSourceAdapter : JobSourceAdapter
    {
        private const string JobParameter = "NewJob";

        private readonly ConcurrentDictionary<Guid, ThreadPoolJob> _jobs = new ConcurrentDictionary<Guid, ThreadPoolJob>();

        public ThreadPoolJobSourceAdapter()
        {
            Name = nameof(ThreadPoolJobSourceAdapter);
        }

        /// <summary>
        /// Adds <paramref name="job"/> to the caller's session through the job manager, as ThreadJob does. In a
        /// session where the adapter is not registered (the module loaded without Import-Module), the session's
        /// job repository takes it instead: Get-Job, Receive-Job and Remove-Job work the same.
        /// </summary>
        internal static void Add(PSCmdlet caller, ThreadPoolJob job)
        {
            try
            {
                var definition = new JobDefinition(typeof(ThreadPoolJobSourceAdapter), job.Command, job.Name);
                var parameters = new Dictionary<string, object> { { JobParameter, job } };
                if (caller.JobManager.NewJob(new JobInvocationInfo(definition, parameters)) == job)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is ArgumentException)
            {
                // Not registered here: the repository below.
            }

            caller.JobRepository.Add(job);
        }

        public override Job2 NewJob(JobInvocationInfo specification)
        {
            foreach (CommandParameterCollection parameters in specification.Parameters)
            {
                foreach (CommandParameter parameter in parameters)
                {
                    if (parameter.Name == JobParameter && parameter.Value is ThreadPoolJob job)
                    {
                        _jobs.TryAdd(job.InstanceId, job);
                        return job;
                    }
                }
            }

            throw new ArgumentException("Invoke-ThreadPool -AsJob makes these jobs; they cannot be created from a job definition.", nameof(specification));
        }

        public override IList<Job2> GetJobs() => Sorted(_jobs.Values);

        public override IList<Job2> GetJobsByName(string name, bool recurse) => Matching(name, job => job.Name);

        public override IList<Job2> GetJobsByCommand(string command, bool recurse) => Matching(command, job => job.Command);

        public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) =>
            _jobs.TryGetValue(instanceId, out ThreadPoolJob? job) ? job : null;

        public override Job2? GetJobBySessionId(int id, bool recurse) => _jobs.Values.FirstOrDefault(job => job.Id == id);

        public override IList<Job2> GetJobsByState(JobState state, bool recurse) =>
            Sorted(_jobs.Values.Where(job => job.JobStateInfo.State == state));

        // Get-Job -Filter is for jobs with custom properties (workflows, scheduled jobs): these have none.
        public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) => new List<Job2>();

        /// <summary>Remove-Job: a running job is stopped first (Remove-Job asks for -Force before it gets here).</summary>
        public override void RemoveJob(Job2 job)
        {
            if (_jobs.TryRemove(job.InstanceId, out ThreadPoolJob? removed))
            {
                if (removed.IsAlive)
                {
                    removed.StopJob();
                }

                removed.Forget();
            }
        }

        private IList<Job2> Matching(string pattern, Func<ThreadPoolJob, string> property)
        {
            var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
            return Sorted(_jobs.Values.Where(job => wildcard.IsMatch(property(job))));
        }

        private static IList<Job2> Sorted(IEnumerable<ThreadPoolJob> jobs) => jobs.OrderBy(job => job.Id).Cast<Job2>().ToList();
    }
}

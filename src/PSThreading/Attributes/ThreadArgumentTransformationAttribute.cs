using System;
using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Attributes
{
    /// <summary>
    /// -Thread of Wait-WorkerThread and Stop-WorkerThread takes threads only. Anything else given or piped used
    /// to meet the binder's stock "cannot be bound" text; here it is refused saying what to pass instead: a name
    /// goes to -Name, a number to -Id, a job to the job cmdlets.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ThreadArgumentTransformationAttribute : ArgumentTransformationAttribute
    {
        private readonly string _verb;

        /// <param name="verb">The cmdlet's verb (Wait, Stop): the advice names that verb's commands.</param>
        public ThreadArgumentTransformationAttribute(string verb)
        {
            _verb = verb;
        }

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? bare = Unwrap(inputData);
            if (bare == null || bare is WorkerThread || IsOwnJob(bare))
            {
                return inputData;
            }

            if (bare is IEnumerable items && !(bare is string))
            {
                foreach (object? item in items)
                {
                    object? one = Unwrap(item);
                    if (one != null && !(one is WorkerThread) && !IsOwnJob(one))
                    {
                        throw Refused(one);
                    }
                }

                return inputData;
            }

            throw Refused(bare);
        }

        // Invoke-ThreadPool -AsJob's job is this module's own: its conversion to a thread is left to the binder.
        private static bool IsOwnJob(object value) => value is Job job && job.PSJobTypeName == "PSThreadingJob";

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

        private ArgumentTransformationMetadataException Refused(object value)
        {
            string command = $"{_verb}-WorkerThread";
            string advice = value switch
            {
                string name => $"'{name}' is a string: to name threads, use {command} -Name '{name}'.",
                int _ or long _ or short _ or byte _ => $"{value} is a number: to give threads by id, use {command} -Id {value}.",
                Job _ => _verb == "Stop"
                    ? "A job is not a worker thread: stop it with Stop-Job."
                    : "A job is not a worker thread: wait for it and read its output with Receive-Job -Wait (or Wait-Job).",
                System.Threading.Thread thread => $"A .NET Thread is not a worker thread: its entry is {command} -Id {thread.ManagedThreadId} (Get-ActiveThread -Id lists it).",
                Process _ => $"A process is not a worker thread: use {_verb}-Process.",
                _ => $"A {value.GetType().Name} is not a worker thread.",
            };
            return new ArgumentTransformationMetadataException(
                $"{advice} {command} takes threads from Start-WorkerThread or Get-ActiveThread, or threads named by -Name or -Id.");
        }
    }
}

using System;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Pool;

namespace PSThreading.Jobs
{
    /// <summary>
    /// Lets an -AsJob job stand for its thread wherever a WorkerThread is taken: <c>$job | Wait-WorkerThread</c>,
    /// <c>Stop-WorkerThread -Thread $job</c>, <c>[PSThreading.Core.Threads.WorkerThread]$job</c>. PowerShell's binder
    /// converts through it when the job does not bind as it is.
    /// </summary>
    internal sealed class ThreadPoolJobConverter : PSTypeConverter
    {
        public override bool CanConvertFrom(object sourceValue, Type destinationType) => false;

        public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
            throw new InvalidCastException();

        public override bool CanConvertTo(object sourceValue, Type destinationType) =>
            Unwrap(sourceValue) is ThreadPoolJob && (destinationType == typeof(WorkerThread) || destinationType == typeof(WorkerThread[]));

        public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            if (!(Unwrap(sourceValue) is ThreadPoolJob job))
            {
                throw new InvalidCastException($"Only an Invoke-ThreadPool -AsJob job converts to {destinationType.Name}.");
            }

            return destinationType == typeof(WorkerThread[]) ? new[] { job.Thread } : (object)job.Thread;
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
    }
}

using System;
using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Pool
{
    /// <summary>A worker's -Begin block threw: the call fails, and that worker runs no item.</summary>
    internal sealed class PoolBeginException : Exception
    {
        public PoolBeginException(string workerName, ErrorRecord error)
            : base($"The -Begin block failed on pool worker '{workerName}', so no item ran there: {error}", error.Exception)
        {
            WorkerName = workerName;
            Error = error;
        }

        public string WorkerName { get; }

        /// <summary>The block's own error, with its script position.</summary>
        public ErrorRecord Error { get; }
    }

    /// <summary>What a -Begin or -End block wrote to its output: queued with the records, written as the call's output.</summary>
    internal sealed class SetupOutput
    {
        public SetupOutput(object[] values)
        {
            Values = values;
        }

        public object[] Values { get; }
    }
}

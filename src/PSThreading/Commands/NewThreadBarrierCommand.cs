using System;
using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Errors;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>threading.Barrier(parties, timeout)</c>: -Parties threads wait for each other, then all go
    /// on. -Timeout is the default timeout of Wait(). With -Name the barrier is process-wide.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadBarrier")]
    [OutputType(typeof(ThreadBarrier))]
    public sealed class NewThreadBarrierCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(1, int.MaxValue)]
        public int Parties { get; set; }

        [Parameter]
        public double Timeout { get; set; } = TimeoutParameter.NoLimit;

        [Parameter]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        protected override void EndProcessing()
        {
            TimeSpan? timeout = TimeoutParameter.ToLimit(this, nameof(Timeout), Timeout);
            WriteObject(LockErrorRecord.Run(
                this,
                () => Name == null
                    ? new ThreadBarrier(Parties, timeout)
                    : LockRegistry.GetOrCreate(Name, () => new ThreadBarrier(Parties, timeout, Name), barrier => barrier.Parties == Parties, $"a Barrier of {Parties} parties"),
                Name));
        }
    }
}

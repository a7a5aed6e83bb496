using System;
using System.Globalization;
using System.Management.Automation;
using PSThreading.Core.Sync;
using PSThreading.Engine;
using PSThreading.Errors;

namespace PSThreading.Commands
{
    /// <summary>
    /// Adds each piped object to a queue, waiting while it is full (at most -Timeout for each, then a
    /// QueueFull error); with -Complete, completes the queue when the input ends.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "ThreadQueue")]
    [OutputType(typeof(void))]
    public sealed class SendThreadQueueCommand : CancellablePSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public ThreadQueue Queue { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public object? InputObject { get; set; }

        /// <summary>Completes the queue once every piped object was added: its takers then end.</summary>
        [Parameter]
        public SwitchParameter Complete { get; set; }

        /// <summary>Seconds to wait for room for each object at most (-1: no limit).</summary>
        [Parameter]
        public double Timeout { get; set; } = TimeoutParameter.NoLimit;

        private TimeSpan? _timeout;

        protected override void BeginProcessing() => _timeout = TimeoutParameter.ToLimit(this, nameof(Timeout), Timeout);

        protected override void ProcessRecord()
        {
            bool added = QueueCall.Run(this, () => Queue.Add(InputObject, _timeout, CancelToken), ThrowIfStopping);
            if (!added)
            {
                ThrowTerminatingError(LockErrorRecord.From(new QueueFullException(Queue,
                    $"Queue '{Queue.Name}' was still full ({Queue.Capacity} items) after {Timeout.ToString(CultureInfo.InvariantCulture)} seconds. " +
                    "Give a longer -Timeout, or start more consumers (Receive-ThreadQueue, Take()).")));
            }
        }

        protected override void EndProcessing()
        {
            if (Complete)
            {
                Queue.Complete();
            }
        }
    }
}

using System;
using System.Management.Automation;
using PSThreading.Core.Sync;

namespace PSThreading.Commands
{
    /// <summary>
    /// Writes a queue's items as they arrive, until the queue is completed and empty: the consumer end of a
    /// producer/consumer pipeline. -Timeout bounds the wait for each next item (then a QueueEmpty error).
    /// </summary>
    [Cmdlet(VerbsCommunications.Receive, "ThreadQueue")]
    [OutputType(typeof(object))]
    public sealed class ReceiveThreadQueueCommand : CancellablePSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ThreadQueue Queue { get; set; } = null!;

        /// <summary>Seconds to wait for each next item at most (-1: no limit).</summary>
        [Parameter]
        public double Timeout { get; set; } = TimeoutParameter.NoLimit;

        private TimeSpan? _timeout;

        protected override void BeginProcessing() => _timeout = TimeoutParameter.ToLimit(this, nameof(Timeout), Timeout);

        protected override void ProcessRecord()
        {
            TimeSpan? timeout = _timeout;
            while (true)
            {
                object? item;
                try
                {
                    item = QueueCall.Run(this, () => Queue.Take(timeout, CancelToken), ThrowIfStopping, letCompletedThrough: true);
                }
                catch (QueueCompletedException)
                {
                    return;
                }

                WriteObject(item);
            }
        }
    }
}

using System;
using System.Management.Automation;
using System.Threading;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Base for cmdlets that wait: Ctrl+C (<see cref="StopProcessing"/>) cancels <see cref="CancelToken"/>,
    /// so every wait in a cmdlet ends at once instead of ignoring the user.
    /// </summary>
    public abstract class CancellablePSCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly object _cancelGate = new object();
        private bool _disposed;

        // Only this module's cmdlets derive from it: it is public because they are.
        private protected CancellablePSCmdlet()
        {
        }

        protected CancellationToken CancelToken => _cancel.Token;

        /// <summary>
        /// Runs on the thread that stops the pipeline, which may come as the command ends and is disposed:
        /// a cancel after the disposal has nothing left to end, and must not fail the stop.
        /// </summary>
        protected override void StopProcessing()
        {
            lock (_cancelGate)
            {
                if (!_disposed)
                {
                    _cancel.Cancel();
                }
            }
        }

        /// <summary>Turns a cancelled wait into the pipeline stop PowerShell expects after Ctrl+C.</summary>
        protected void ThrowIfStopping()
        {
            if (_cancel.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        // PowerShell disposes a cmdlet through IDisposable: nothing of it is the cmdlet's public surface.
        void IDisposable.Dispose()
        {
            Dispose(disposing: true);
            GC.SuppressFinalize(this);
        }

        /// <summary>A cmdlet that holds more than the token frees it here, then calls the base.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
                lock (_cancelGate)
                {
                    _disposed = true;
                    _cancel.Dispose();
                }
            }
        }
    }
}

using System;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// One blocking call of the calling thread (a lock's Acquire, a join), for as long as it blocks, and the
    /// token that ends it early: the token its caller gave, and the thread's own stop. A worker's stop is
    /// Stop-WorkerThread; a pool worker's is the stop of the item it runs (see <see cref="ItemStop"/>); the
    /// main thread's is Ctrl+C (see <see cref="MainThreadInterrupt"/>). A script's <c>$lock.Acquire()</c> is a
    /// method call that no pipeline stop reaches, so every blocking method of the module waits through one.
    /// </summary>
    internal sealed class BlockingWait : IDisposable
    {
        private static Func<Exception>? s_stoppedException;

        private readonly CancellationToken _given;
        private readonly CancellationToken _stop;
        private readonly CancellationTokenSource? _linked;
        private readonly bool _interruptEntered;

        private BlockingWait(CancellationToken given, CancellationToken stop, bool interruptEntered)
        {
            _given = given;
            _stop = stop;
            _interruptEntered = interruptEntered;
            if (given.CanBeCanceled && stop.CanBeCanceled)
            {
                _linked = CancellationTokenSource.CreateLinkedTokenSource(given, stop);
                Token = _linked.Token;
            }
            else
            {
                Token = stop.CanBeCanceled ? stop : given;
            }
        }

        /// <summary>
        /// What a wait ended by its thread's stop throws. The module sets PowerShell's pipeline stop: a script
        /// then stops there, as on Ctrl+C, where an OperationCanceledException would be a caught error that the
        /// script carries on after. Unset, it is <see cref="OperationCanceledException"/>.
        /// </summary>
        public static Func<Exception>? StoppedException
        {
            get => Volatile.Read(ref s_stoppedException);
            set => Volatile.Write(ref s_stoppedException, value);
        }

        /// <summary>Cancelled when the caller's token or the calling thread's stop is.</summary>
        public CancellationToken Token { get; }

        public bool IsCancellationRequested => _given.IsCancellationRequested || _stop.IsCancellationRequested;

        /// <summary>Starts a blocking call of the calling thread that also ends when <paramref name="given"/> is cancelled.</summary>
        public static BlockingWait Begin(CancellationToken given)
        {
            WorkerThread self = ThreadRegistry.Current;
            if (self.IsMainThread)
            {
                return new BlockingWait(given, MainThreadInterrupt.Enter(), interruptEntered: true);
            }

            return new BlockingWait(given, self.ItemStop?.Token ?? self.StopToken, interruptEntered: false);
        }

        /// <summary>
        /// Throws when the wait must end: <see cref="OperationCanceledException"/> for the caller's token (the
        /// caller asked), <see cref="StoppedException"/> for the thread's stop.
        /// </summary>
        public void ThrowIfCancellationRequested()
        {
            _given.ThrowIfCancellationRequested();
            if (_stop.IsCancellationRequested)
            {
                throw StoppedException?.Invoke() ?? new OperationCanceledException(_stop);
            }
        }

        public void Dispose()
        {
            _linked?.Dispose();
            if (_interruptEntered)
            {
                MainThreadInterrupt.Exit();
            }
        }
    }
}

using System;
using System.Threading;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Tests
{
    /// <summary>A body that runs a delegate and stops when asked, the way the module's script body does.</summary>
    internal sealed class DelegateBody : IThreadBody
    {
        private readonly Action<WorkerThread, CancellationToken> _run;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        public DelegateBody(Action<WorkerThread, CancellationToken> run) => _run = run;

        public DelegateBody(Action run) => _run = (t, c) => run();

        public void Run(WorkerThread thread) => _run(thread, _stop.Token);

        public void RequestStop() => _stop.Cancel();

        public void AfterEnd()
        {
        }
    }

    internal static class Bounded
    {
        public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

        /// <summary>A token cancelled after <see cref="Wait"/>: bounds an untimed wait, which detection may fail.</summary>
        public static CancellationToken Token() => new CancellationTokenSource(Wait).Token;

        public static void Join(WorkerThread thread) =>
            Xunit.Assert.True(thread.Join(Wait, CancellationToken.None), $"{thread.Name} did not end within {Wait}.");
    }
}

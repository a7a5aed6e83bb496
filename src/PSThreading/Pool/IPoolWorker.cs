using System;
using PSThreading.Core.Pool;
using PSThreading.Core.Threads;

namespace PSThreading.Pool
{
    /// <summary>
    /// One worker of a pool call, as the call starts, stops and replaces it: a runspace in this process
    /// (<see cref="PoolItemRunner"/>) or a runspace outside it (<see cref="PSThreading.Processes.RemoteItemRunner"/>).
    /// </summary>
    internal interface IPoolWorker
    {
        string Name { get; }

        bool IsEnded { get; }

        /// <summary>The worker's entry in Get-ActiveThread, once it runs.</summary>
        WorkerThread? Thread { get; }

        /// <summary>True when Stop-WorkerThread was given this worker: it ended because the user asked.</summary>
        bool WasStopRequested { get; }

        /// <summary>Why the worker could not run at all; null when it ran.</summary>
        Exception? StartFailure { get; }

        void Start();

        bool WaitEnded(TimeSpan timeout);

        /// <summary>Stops the item if this worker still runs it (its item timeout passed); the worker goes on.</summary>
        void StopItem(PoolWorkItem item);

        /// <summary>Stops the worker for good: the call is stopping, or the user stopped this worker.</summary>
        void StopForGood();

        /// <summary>Stops the worker's -End now or as it starts.</summary>
        void StopEnd();

        /// <summary>Lets -End run for <paramref name="grace"/> at most after a stop.</summary>
        void LimitEnd(TimeSpan grace);
    }
}

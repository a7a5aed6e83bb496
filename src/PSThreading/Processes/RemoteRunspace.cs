using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;

namespace PSThreading.Processes
{
    /// <summary>
    /// A runspace outside this process that pool items run in: a pwsh child process of ours
    /// (<see cref="ChildProcess"/>), and later a remoting session's runspace. What crosses is serialized as
    /// remoting serializes it; the place can be lost under a running item (its process ended, its session broke),
    /// and it can be abandoned at once, without waiting on its transport.
    /// </summary>
    internal abstract class RemoteRunspace
    {
        public abstract Runspace Runspace { get; }

        /// <summary>The place in words, for messages: "process 1234".</summary>
        public abstract string Where { get; }

        /// <summary>The id of the process the items run in.</summary>
        public abstract int ProcessId { get; }

        /// <summary>Set when the place is gone: its process ended, its connection broke.</summary>
        public abstract WaitHandle Lost { get; }

        public bool IsLost => Lost.WaitOne(0);

        /// <summary>The error of a pool item (<paramref name="poolItem"/>) or thread block that was running when the place was lost.</summary>
        public abstract ErrorRecord LostError(object? target, bool poolItem);

        /// <summary>Ends the place now (a stuck item, a crash): the caller does not wait on its transport.</summary>
        public abstract void Abandon();

        /// <summary>Closes the place in the ordinary way: it is no longer needed.</summary>
        public abstract void Close();
    }

    /// <summary>Where a pool call's remote workers get their places, and give them back.</summary>
    internal interface IRemotePlaces
    {
        /// <summary>A usable place for items in <paramref name="languageMode"/>: a warm one, or a new one opened on the calling thread.</summary>
        RemoteRunspace Take(PSLanguageMode languageMode);

        /// <summary>Takes a place back after a call: kept warm when <paramref name="keep"/>, closed otherwise.</summary>
        void Return(RemoteRunspace place, bool keep);
    }
}

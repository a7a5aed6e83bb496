using System;
using System.Threading;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// How many threads are inside a body now: the module counts its own OS threads this way, so that a leak
    /// check can tell them from the threads the .NET thread pool adds by itself on a busy machine.
    /// </summary>
    internal sealed class RunningCount
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        /// <summary>Runs <paramref name="body"/> on the calling thread, counted while it runs.</summary>
        public void Run(Action body)
        {
            Interlocked.Increment(ref _count);
            try
            {
                body();
            }
            finally
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}

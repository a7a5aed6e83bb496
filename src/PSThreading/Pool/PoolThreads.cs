using System;
using System.Collections.Concurrent;
using System.Threading;
using PSThreading.Core.Threads;
using PSThreading.Runspaces;

namespace PSThreading.Pool
{
    /// <summary>
    /// OS threads that pool workers run on, kept parked between calls. Thread.Start waits for the OS to
    /// start the thread, slow on a loaded machine: a call's workers instead wake threads an earlier call's
    /// workers left. A thread idle for half a minute ends.
    /// </summary>
    internal static class PoolThreads
    {
        private static readonly TimeSpan s_idleLifetime = TimeSpan.FromSeconds(30);
        private static readonly ConcurrentStack<ParkedThread> s_idle = new ConcurrentStack<ParkedThread>();
        private static readonly RunningCount s_live = new RunningCount();

        /// <summary>Pool OS threads alive now, parked or running work: what a leak check counts.</summary>
        internal static int LiveCount => s_live.Count;

        /// <summary>Runs <paramref name="work"/> on a parked thread, or on a new one when none is idle.</summary>
        public static void Run(Action work)
        {
            while (s_idle.TryPop(out ParkedThread? parked))
            {
                if (parked.TryAssign(work))
                {
                    return;
                }
            }

            var thread = new ParkedThread();
            thread.TryAssign(work);
            thread.Start();
        }

        /// <summary>Ends every parked thread now (module removal); threads running work are left to finish it.</summary>
        public static int RetireIdle()
        {
            int retired = 0;
            while (s_idle.TryPop(out ParkedThread? parked))
            {
                if (parked.TryRetire())
                {
                    retired++;
                }
            }

            return retired;
        }

        private sealed class ParkedThread
        {
            private readonly object _sync = new object();
            private readonly SemaphoreSlim _assigned = new SemaphoreSlim(0);
            private Action? _work;
            private bool _retired;

            public bool TryAssign(Action work)
            {
                lock (_sync)
                {
                    if (_retired)
                    {
                        return false;
                    }

                    _work = work;
                }

                _assigned.Release();
                return true;
            }

            /// <summary>Makes an idle thread leave its loop; false when it had work or had left already.</summary>
            public bool TryRetire()
            {
                lock (_sync)
                {
                    if (_retired || _work != null)
                    {
                        return false;
                    }

                    _retired = true;
                }

                try
                {
                    _assigned.Release();
                }
                catch (ObjectDisposedException)
                {
                    // It timed out and left meanwhile: retired either way.
                }

                return true;
            }

            public void Start()
            {
                var thread = new Thread(Loop, PipelineStack.Size)
                {
                    // Never keeps the process alive: the call that owns the work waits for it or stops it.
                    IsBackground = true,
                    Name = "PSThreading pool",
                };
                thread.Start();
            }

            private void Loop() => s_live.Run(RunAssignedWork);

            private bool WaitForWork()
            {
                while (true)
                {
                    try
                    {
                        return _assigned.Wait(s_idleLifetime);
                    }
                    catch (ThreadInterruptedException)
                    {
                        // A Thread.Interrupt that an item's code left pending fired here: spent, the wait goes on.
                        // Escaping this thread it would end the process.
                    }
                }
            }

            private void RunAssignedWork()
            {
                while (true)
                {
                    bool signalled = WaitForWork();
                    Action? work;
                    lock (_sync)
                    {
                        work = _work;
                        _work = null;
                        if (work == null && (!signalled || _retired))
                        {
                            // Retired under the lock, so no work can be assigned to a thread that is leaving.
                            _retired = true;
                            _assigned.Dispose();
                            return;
                        }
                    }

                    if (work == null)
                    {
                        // The release of work that was taken after a timeout: nothing left to do for it.
                        continue;
                    }

                    try
                    {
                        work();
                    }
                    catch (Exception)
                    {
                        // The work catches its own failures; this is the last guard for the process.
                    }

                    s_idle.Push(this);
                }
            }
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Threading;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// OS threads kept parked between pieces of work. Thread.Start waits until the OS has started the thread:
    /// about a millisecond on this machine, more under load: some 40% of a worker's start and join. Work instead
    /// wakes a thread that earlier work left. A thread idle for the idle lifetime ends, and so does one that
    /// finishes while enough are parked already, so a burst does not leave its threads behind.
    /// </summary>
    internal sealed class ParkedThreads
    {
        private static readonly ContextCallback s_runWork = state => ((Action)state!)();
        private readonly ConcurrentStack<ParkedThread> _idle = new ConcurrentStack<ParkedThread>();
        private readonly RunningCount _live = new RunningCount();
        private readonly string _name;
        private readonly int _stackSize;
        private readonly int _maxIdle;
        private readonly TimeSpan _idleLifetime;

        public ParkedThreads(string name, int stackSize, int maxIdle, TimeSpan idleLifetime)
        {
            _name = name;
            _stackSize = stackSize;
            _maxIdle = maxIdle;
            _idleLifetime = idleLifetime;
        }

        /// <summary>OS threads alive now, parked or running work: what a leak check counts.</summary>
        public int LiveCount => _live.Count;

        /// <summary>
        /// A parked thread reserved for the caller, or a new one not yet started. Its id is known before the work
        /// is given, so the work can be listed under it first; <see cref="ParkedThread.Run"/> must follow.
        /// </summary>
        /// <param name="idIsFree">
        /// Whether a parked thread's id may be handed out now; null: any may. A thread whose id may not is ended:
        /// what holds its id (a worker's output nobody has read) may hold it for long, and parked it would count
        /// against the parked limit while no taker can use it.
        /// </param>
        public ParkedThread Take(Func<int, bool>? idIsFree = null)
        {
            while (_idle.TryPop(out ParkedThread? parked))
            {
                if (idIsFree != null && !idIsFree(parked.ManagedThreadId))
                {
                    parked.TryRetire();
                    continue;
                }

                if (parked.TryReserve())
                {
                    return parked;
                }
            }

            return new ParkedThread(this);
        }

        /// <summary>The thread that the next <see cref="Take"/> would look at first, if any (tests).</summary>
        internal ParkedThread? TryPeekIdle() => _idle.TryPeek(out ParkedThread? parked) ? parked : null;

        /// <summary>Runs <paramref name="work"/> on a parked thread, or on a new one when none is idle.</summary>
        public void Run(Action work) => Take().Run(work, background: true);

        /// <summary>Ends every parked thread now (module removal); threads running work are left to finish it.</summary>
        public int RetireIdle()
        {
            int retired = 0;
            while (_idle.TryPop(out ParkedThread? parked))
            {
                if (parked.TryRetire())
                {
                    retired++;
                }
            }

            return retired;
        }

        internal sealed class ParkedThread
        {
            private readonly ParkedThreads _owner;
            private readonly Thread _thread;
            private readonly object _sync = new object();
            // Set under _sync and waited for with Monitor.Wait, which blocks at once: SemaphoreSlim spins first, and
            // a parked thread spinning takes a core from the work on a small machine.
            private bool _signalled;
            private Action? _work;
            // The work running now, if any: what LetProcessExitWithout may change the thread for.
            private Action? _running;
            private ExecutionContext? _context;
            private bool _reserved = true;
            private bool _started;
            private bool _retired;

            public ParkedThread(ParkedThreads owner)
            {
                _owner = owner;
                _thread = new Thread(Loop, owner._stackSize) { IsBackground = true, Name = owner._name };
            }

            public int ManagedThreadId => _thread.ManagedThreadId;

            /// <summary>
            /// Runs <paramref name="work"/> on this thread, in the caller's execution context as a new thread would
            /// (its culture and async-locals flow; the work's own changes stay with the work). A foreground thread
            /// keeps the process alive while the work runs, as a new thread that is not background would.
            /// </summary>
            public void Run(Action work, bool background)
            {
                ExecutionContext? context = ExecutionContext.Capture();
                bool start;
                lock (_sync)
                {
                    // Under the lock, ordered with LetProcessExitWithout for the work before this one.
                    _thread.IsBackground = background;
                    _work = work;
                    _context = context;
                    _reserved = false;
                    start = !_started;
                    _started = true;
                }

                if (start)
                {
                    StartWithoutContext();
                }
                else
                {
                    Signal();
                }
            }

            // The loop itself keeps no caller's context alive while parked: each work brings its own.
            private void StartWithoutContext()
            {
                if (ExecutionContext.IsFlowSuppressed())
                {
                    _thread.Start();
                    return;
                }

                using (ExecutionContext.SuppressFlow())
                {
                    _thread.Start();
                }
            }

            /// <summary>
            /// Makes the thread a background one while it still runs <paramref name="work"/> (a stuck worker at
            /// exit). Once that work has ended, the thread may already serve the next, whose choice stands.
            /// </summary>
            public void LetProcessExitWithout(Action work)
            {
                lock (_sync)
                {
                    if (!ReferenceEquals(_running, work))
                    {
                        return;
                    }

                    try
                    {
                        _thread.IsBackground = true;
                    }
                    catch (ThreadStateException)
                    {
                        // It ended meanwhile: it holds nothing up.
                    }
                }
            }

            public bool TryReserve()
            {
                lock (_sync)
                {
                    if (_retired || _reserved || _work != null)
                    {
                        return false;
                    }

                    _reserved = true;
                    return true;
                }
            }

            /// <summary>Makes an idle thread leave its loop; false when it had work, was reserved, or had left already.</summary>
            public bool TryRetire()
            {
                lock (_sync)
                {
                    if (_retired || _reserved || _work != null)
                    {
                        return false;
                    }

                    _retired = true;
                }

                Signal();
                return true;
            }

            private void Loop() => _owner._live.Run(RunAssignedWork);

            private void RunAssignedWork()
            {
                // The first work was given before the start: no wait for it.
                bool signalled = true;
                while (true)
                {
                    Action? work;
                    ExecutionContext? context;
                    lock (_sync)
                    {
                        work = _work;
                        context = _context;
                        _running = work;
                        _work = null;
                        _context = null;
                        if (work == null && !_reserved && (!signalled || _retired))
                        {
                            // Retired under the lock, so no work can be given to a thread that is leaving.
                            _retired = true;
                            return;
                        }
                    }

                    if (work != null)
                    {
                        RunOne(work, context);
                        lock (_sync)
                        {
                            _running = null;
                        }

                        if (!Park())
                        {
                            return;
                        }
                    }

                    signalled = WaitForWork();
                }
            }

            private void RunOne(Action work, ExecutionContext? context)
            {
                try
                {
                    if (context != null)
                    {
                        ExecutionContext.Run(context, s_runWork, work);
                    }
                    else
                    {
                        work();
                    }
                }
                catch (Exception)
                {
                    // The work catches its own failures; this is the last guard for the process.
                }

                // What the work may have changed on the thread itself, which a new thread would not have.
                try
                {
                    // A Thread.Interrupt the work's code left pending would fire in the next work's first wait.
                    Thread.Sleep(0);
                }
                catch (ThreadInterruptedException)
                {
                    // Spent here.
                }

                try
                {
                    _thread.IsBackground = true;
                    if (_thread.Priority != ThreadPriority.Normal)
                    {
                        _thread.Priority = ThreadPriority.Normal;
                    }

                    _thread.Name = _owner._name;
                }
                catch (Exception)
                {
                    // Best effort: a thread that cannot be reset still serves.
                }
            }

            /// <summary>Back among the idle, or false (the thread ends) when enough are parked already.</summary>
            private bool Park()
            {
                if (_owner._idle.Count >= _owner._maxIdle)
                {
                    lock (_sync)
                    {
                        _retired = true;
                    }

                    return false;
                }

                _owner._idle.Push(this);
                return true;
            }

            private void Signal()
            {
                lock (_sync)
                {
                    _signalled = true;
                    Monitor.Pulse(_sync);
                }
            }

            /// <summary>Waits for a signal (work, or retirement); false when the idle lifetime passed first.</summary>
            private bool WaitForWork()
            {
                DateTime deadline = DateTime.UtcNow + _owner._idleLifetime;
                lock (_sync)
                {
                    while (!_signalled)
                    {
                        TimeSpan left = deadline - DateTime.UtcNow;
                        if (left <= TimeSpan.Zero)
                        {
                            return false;
                        }

                        try
                        {
                            Monitor.Wait(_sync, left);
                        }
                        catch (ThreadInterruptedException)
                        {
                            // A Thread.Interrupt that the work's code left pending fired here: spent, the wait goes on.
                            // Escaping this thread it would end the process.
                        }
                    }

                    _signalled = false;
                    return true;
                }
            }
        }
    }
}

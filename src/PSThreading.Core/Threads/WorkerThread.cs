using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using PSThreading.Core.Pool;
using PSThreading.Core.Sync;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// One thread as the user sees it: Python's <c>threading.Thread</c>. A worker has an OS thread to itself while
    /// it runs (one an earlier worker left parked, or a new one); the main thread and foreign threads are entries
    /// describing threads the module did not start.
    /// </summary>
    public sealed partial class WorkerThread
    {
        // Workers' OS threads by stack size, parked between workers: a start wakes one instead of waiting for a new one.
        private static readonly ConcurrentDictionary<int, ParkedThreads> s_osThreads = new ConcurrentDictionary<int, ParkedThreads>();
        private static readonly int s_maxParked = Math.Max(4, Environment.ProcessorCount * 2);
        private static readonly TimeSpan s_parkedLifetime = TimeSpan.FromSeconds(30);

        private readonly ManualResetEvent _ended = new ManualResetEvent(false);
        private readonly ConcurrentQueue<object> _results = new ConcurrentQueue<object>();
        private readonly IThreadBody? _body;
        private readonly List<SyncPrimitive> _held = new List<SyncPrimitive>();
        private readonly CancellationTokenSource _stopRequested = new CancellationTokenSource();
        private ThreadWait? _wait;
        private ParkedThreads.ParkedThread? _thread;
        // What runs on _thread for this worker: the OS thread runs other work before and after it.
        private Action? _work;
        private int _state;
        private long _startTicks;
        private long _endTicks;
        private TimeSpan _delay;

        internal WorkerThread(string name, ThreadKind kind, bool isDaemon, IThreadBody? body, long sequence)
        {
            Name = name;
            Kind = kind;
            IsDaemon = isDaemon;
            _body = body;
            Sequence = sequence;
            _state = (int)WorkerState.Running;
            _startTicks = DateTime.Now.Ticks;
            if (kind != ThreadKind.Worker)
            {
                // Entries for threads we did not start describe the calling thread itself.
                ManagedThreadId = Environment.CurrentManagedThreadId;
            }
        }

        public string Name { get; }

        public ThreadKind Kind { get; }

        /// <summary>The .NET managed thread id: Python's <c>ident</c>. Unique among live threads.</summary>
        public int ManagedThreadId { get; private set; }

        public bool IsDaemon { get; }

        public WorkerState State => (WorkerState)Volatile.Read(ref _state);

        public bool IsAlive
        {
            get
            {
                WorkerState state = State;
                return state == WorkerState.Running || state == WorkerState.Stopping || state == WorkerState.Scheduled || state == WorkerState.Blocked;
            }
        }

        public bool IsMainThread => Kind == ThreadKind.Main;

        /// <summary>Where the thread's code runs: a runspace of this process, or a child process of its own.</summary>
        public ThreadIsolation Isolation { get; internal set; }

        /// <summary>The id of the process the thread's code runs in: this process's, or its child process's.</summary>
        public int ProcessId { get; internal set; } = ThisProcessId.Value;

        public DateTime StartTime => new DateTime(Interlocked.Read(ref _startTicks), DateTimeKind.Local);

        public DateTime? EndTime
        {
            get
            {
                long ticks = Interlocked.Read(ref _endTicks);
                return ticks == 0 ? (DateTime?)null : new DateTime(ticks, DateTimeKind.Local);
            }
        }

        /// <summary>How long the thread has run (so far, while alive).</summary>
        public TimeSpan RunningTime => (EndTime ?? DateTime.Now) - StartTime;

        /// <summary>The exception that ended the thread, when <see cref="State"/> is Failed.</summary>
        public Exception? Error { get; private set; }

        /// <summary>How many outputs and records no join has collected yet (<see cref="HasMoreData"/> tells whether any).</summary>
        public int PendingResultCount => _results.Count + ((_body as IResultHolder)?.HeldCount ?? 0);

        /// <summary>True while the thread holds output or records that no join has taken yet (ThreadJob's name for <see cref="PendingResultCount"/> above 0).</summary>
        public bool HasMoreData => PendingResultCount > 0;

        /// <summary>Signalled once the thread has ended, whatever the outcome; internal, so that views and Get-Member do not show it.</summary>
        internal WaitHandle EndedHandle => _ended;

        /// <summary>The locks and semaphores this thread holds now, in the order it took them.</summary>
        public IReadOnlyList<SyncPrimitive> HeldLocks
        {
            get
            {
                lock (_held)
                {
                    return _held.Distinct().ToArray();
                }
            }
        }

        /// <summary>
        /// The lock or semaphore this thread is blocked on, or null: <see cref="WaitingForObject"/> narrowed to the
        /// two that can be held, whose holders deadlock reports and Get-ActiveThread's Locks column name.
        /// </summary>
        public SyncPrimitive? WaitingFor => WaitingForObject as SyncPrimitive;

        /// <summary>
        /// What this thread is blocked on, of any kind (a lock or semaphore, an event, queue, condition or barrier),
        /// or null; each has Name and Kind. A join shows in <see cref="WaitingForThread"/> instead.
        /// </summary>
        public object? WaitingForObject => Volatile.Read(ref _wait)?.Target as Sync.ISyncObject;

        /// <summary>The thread this one waits for to end (a join), or null.</summary>
        public WorkerThread? WaitingForThread => (Volatile.Read(ref _wait)?.Target as ThreadEnd)?.Thread;

        internal ThreadWait? CurrentWait => Volatile.Read(ref _wait);

        /// <summary>
        /// Cancelled by <see cref="RequestStop"/>. A script's <c>$lock.Acquire()</c> is a .NET call that a pipeline
        /// stop cannot interrupt; lock waits observe this token so that stopping a worker ends them too.
        /// </summary>
        internal CancellationToken StopToken => _stopRequested.Token;

        /// <summary>For a pool worker: the stop of the item it runs, which its waits observe (set by the pool).</summary>
        internal ItemStop? ItemStop { get; set; }

        internal IThreadBody? Body => _body;

        /// <summary>Order of start across the process: what enumeration sorts by.</summary>
        internal long Sequence { get; }

        /// <summary>Before the start: the block waits <paramref name="delay"/> first, listed as Scheduled meanwhile.</summary>
        internal void Schedule(TimeSpan delay)
        {
            _delay = delay;
            Volatile.Write(ref _state, (int)WorkerState.Scheduled);
        }

        /// <summary>The delay has passed: Scheduled becomes Running (a stop meanwhile leaves Stopping).</summary>
        internal void EndSchedule() => Interlocked.CompareExchange(ref _state, (int)WorkerState.Running, (int)WorkerState.Scheduled);

        /// <summary>For a worker run inline: it has the calling thread's id, and no OS thread of its own.</summary>
        internal void RunOnCallingThread() => ManagedThreadId = Environment.CurrentManagedThreadId;

        /// <summary>Takes the OS thread the worker will run on (a parked one, or a new one), so that its id is known first.</summary>
        internal void CreateOsThread(int maxStackSize)
        {
            ParkedThreads threads = s_osThreads.GetOrAdd(maxStackSize, size => new ParkedThreads("PSThreading worker", size, s_maxParked, s_parkedLifetime));
            // Not the thread of a worker that ended with output nobody has read: it is still found by that id.
            _thread = threads.Take(id => !ThreadRegistry.IsListedId(id));
            // Set before the start: the body may ask for its own id (to refuse joining itself) at once.
            ManagedThreadId = _thread.ManagedThreadId;
        }

        internal void StartOsThread()
        {
            _work = RunOnOwnThread;
            _thread!.Run(_work, background: IsDaemon);
        }

        /// <summary>OS threads of workers alive now, running a worker or parked for the next: what a leak check counts.</summary>
        internal static int LiveOsThreadCount => s_osThreads.Values.Sum(threads => threads.LiveCount);

        /// <summary>Ends the parked OS threads of workers now (module removal); those running a worker go on.</summary>
        internal static int RetireParkedOsThreads() => s_osThreads.Values.Sum(threads => threads.RetireIdle());

        private void RunOnOwnThread()
        {
            Thread.CurrentThread.Name = Name;
            RunAndFinish();
        }

        private void RunAndFinish()
        {
            ThreadRegistry.SetCurrent(this);
            WorkerState outcome = WorkerState.Completed;
            try
            {
                if (_delay > TimeSpan.Zero)
                {
                    // A stop while scheduled cancels the timer: the block never runs.
                    if (_stopRequested.Token.WaitHandle.WaitOne(_delay))
                    {
                        throw new OperationCanceledException(_stopRequested.Token);
                    }

                    EndSchedule();
                }

                _body!.Run(this);
            }
            catch (OperationCanceledException)
            {
                outcome = WorkerState.Stopped;
            }
            catch (Exception ex)
            {
                // An exception escaping a thread ends the whole process: it becomes the thread's error instead.
                Error = ex;
                outcome = WorkerState.Failed;
            }
            finally
            {
                FinishDespiteInterrupts(outcome);
                ThreadRegistry.SetCurrent(null);
            }

            try
            {
                _body!.AfterEnd();
            }
            catch (Exception)
            {
                // Tidying after the end cannot fail the thread, and must not end the process.
            }
        }

        /// <summary>
        /// <see cref="Finish"/> on the thread's way out, where nothing may escape: a Thread.Interrupt left pending
        /// (by user code, say) fires at the first contended lock, and thrown from here it would end the process.
        /// Finish can run again after an interrupt: each of its steps may be repeated.
        /// </summary>
        private void FinishDespiteInterrupts(WorkerState outcome)
        {
            while (true)
            {
                try
                {
                    Finish(outcome);
                    return;
                }
                catch (ThreadInterruptedException)
                {
                    // Caught, the interrupt is spent: the next try runs through.
                }
            }
        }

        /// <summary>Marks the thread ended. Used by the OS thread itself and by pool workers.</summary>
        internal void Finish(WorkerState outcome, Exception? error = null)
        {
            if (error != null)
            {
                Error = error;
            }

            ReleaseAbandonedLocks(outcome);
            Interlocked.Exchange(ref _endTicks, DateTime.Now.Ticks);
            // Before the state: a join returns as soon as the state says ended.
            (_body as IResultHolder)?.ThreadEnded(outcome);
            Volatile.Write(ref _state, (int)outcome);
            // Output nobody has read yet keeps the thread findable by name and id, as a finished job is.
            ThreadRegistry.UnregisterUnlessUnread(this);
            _ended.Set();
        }

        // Lock bookkeeping, kept by the locks themselves. One entry per hold (a semaphore may appear twice).
        internal void NoteHeld(SyncPrimitive primitive)
        {
            lock (_held)
            {
                _held.Add(primitive);
            }
        }

        internal void NoteReleased(SyncPrimitive primitive)
        {
            lock (_held)
            {
                _held.Remove(primitive);
            }
        }

        internal void BeginWait(ThreadWait wait) => Volatile.Write(ref _wait, wait);

        internal void EndWait(ThreadWait wait) => Interlocked.CompareExchange(ref _wait, null, wait);

        /// <summary>
        /// Applies the abandonment rule (<see cref="SyncPrimitive.OnHolderEnded"/>) to what this thread holds:
        /// before the thread is marked ended, so that a join sees its abandoned locks free already; and by a
        /// pool worker after one of its items failed or was stopped, since the worker itself goes on.
        /// </summary>
        internal void ReleaseAbandonedLocks(WorkerState outcome)
        {
            SyncPrimitive[] held;
            lock (_held)
            {
                held = _held.ToArray();
            }

            foreach (SyncPrimitive primitive in held)
            {
                primitive.OnHolderEnded(this, outcome);
            }
        }

        /// <summary>
        /// Marks the running thread Blocked until its joiner has answered it; false (nothing changed) when it is
        /// not Running, for example already stopping. Called by the thread itself.
        /// </summary>
        internal bool EnterBlocked()
        {
            if (Interlocked.CompareExchange(ref _state, (int)WorkerState.Blocked, (int)WorkerState.Running) != (int)WorkerState.Running)
            {
                return false;
            }

            return true;
        }

        /// <summary>Back to Running after <see cref="EnterBlocked"/>, unless a stop came meanwhile (then it stays Stopping).</summary>
        internal void ExitBlocked()
        {
            Interlocked.CompareExchange(ref _state, (int)WorkerState.Running, (int)WorkerState.Blocked);
        }

        /// <summary>Asks the thread to stop. Returns false when it had already ended.</summary>
        internal bool RequestStop()
        {
            if (Interlocked.CompareExchange(ref _state, (int)WorkerState.Stopping, (int)WorkerState.Running) != (int)WorkerState.Running &&
                Interlocked.CompareExchange(ref _state, (int)WorkerState.Stopping, (int)WorkerState.Scheduled) != (int)WorkerState.Scheduled &&
                Interlocked.CompareExchange(ref _state, (int)WorkerState.Stopping, (int)WorkerState.Blocked) != (int)WorkerState.Blocked)
            {
                return State == WorkerState.Stopping;
            }

            _stopRequested.Cancel();
            _body?.RequestStop();
            return true;
        }

        /// <summary>
        /// Python's <c>join(timeout)</c>: true once the thread has ended, false when the timeout elapsed first.
        /// A null timeout waits without limit. Throws <see cref="OperationCanceledException"/> when cancelled, and
        /// <see cref="DeadlockException"/> when this untimed join closes a cycle of waits (see <see cref="ThreadJoin"/>).
        /// </summary>
        internal bool Join(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (!IsAlive)
            {
                return true;
            }

            if (ManagedThreadId == Environment.CurrentManagedThreadId)
            {
                throw new InvalidOperationException($"Thread '{Name}' cannot wait for itself to end.");
            }

            return ThreadJoin.Wait(this, timeout, cancellationToken, null) == JoinOutcome.Ended;
        }

        /// <summary>
        /// <see cref="Join"/> that also returns, with <see cref="JoinOutcome.Woken"/>, when <paramref name="wake"/>
        /// is signalled: how a join writes the thread's records while it waits.
        /// </summary>
        internal JoinOutcome JoinOrWake(TimeSpan? timeout, CancellationToken cancellationToken, WaitHandle wake)
        {
            if (!IsAlive)
            {
                return JoinOutcome.Ended;
            }

            if (ManagedThreadId == Environment.CurrentManagedThreadId)
            {
                throw new InvalidOperationException($"Thread '{Name}' cannot wait for itself to end.");
            }

            return ThreadJoin.Wait(this, timeout, cancellationToken, wake);
        }

        /// <summary>
        /// Makes the OS thread a background one, so that it no longer keeps the process alive: for a non-daemon
        /// thread that the user chose to stop at exit and that sits in a .NET call a stop cannot end.
        /// </summary>
        internal void LetProcessExitWithout()
        {
            // Its OS thread serves the next worker once this one has ended: the change is made only while it runs this one.
            if (_work != null)
            {
                _thread?.LetProcessExitWithout(_work);
            }
        }

        public override string ToString() => Name;
    }
}

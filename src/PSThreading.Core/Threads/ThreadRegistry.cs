using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace PSThreading.Core.Threads
{
    /// <summary>
    /// The process-wide list of live threads: Python's <c>enumerate()</c>, <c>main_thread()</c> and
    /// <c>current_thread()</c>. Shared by every runspace that loads the module, since the assembly is loaded once.
    /// </summary>
    internal static class ThreadRegistry
    {
        public const string MainThreadName = "MainThread";

        private static readonly object s_sync = new object();
        private static readonly Dictionary<long, WorkerThread> s_live = new Dictionary<long, WorkerThread>();
        // How many listed threads have each managed id, kept with s_live: a start asks it for every parked thread.
        private static readonly Dictionary<int, int> s_listedIds = new Dictionary<int, int>();
        // Threads the module did not start that asked for their own entry: listed while their OS thread lives.
        private static readonly List<KeyValuePair<WorkerThread, Thread>> s_foreign = new List<KeyValuePair<WorkerThread, Thread>>();
        private static long s_sequence;
        private static int s_nextThreadNumber;
        private static int s_nextPoolNumber;
        private static int s_nextPoolJobNumber;
        private static int s_nextForeignNumber;
        private static WorkerThread? s_main;
        private static bool s_mainClaimed;

        [ThreadStatic]
        private static WorkerThread? t_current;

        /// <summary>
        /// The main thread; when there is none yet, the calling thread becomes it until the console's thread
        /// claims it (<see cref="ClaimMainThread"/>). With no console (a hosted engine), the first stays main.
        /// </summary>
        public static WorkerThread EnsureMainThread()
        {
            lock (s_sync)
            {
                return s_main ??= NewMainThread();
            }
        }

        /// <summary>
        /// Makes the calling thread the main thread for good: called for the console's own runspace. The module
        /// may have been imported first on another thread (a ForEach-Object -Parallel runspace); that thread's
        /// claim was provisional. Once claimed, later calls change nothing.
        /// </summary>
        public static WorkerThread ClaimMainThread()
        {
            lock (s_sync)
            {
                if (!s_mainClaimed)
                {
                    s_mainClaimed = true;
                    if (s_main == null || s_main.ManagedThreadId != Environment.CurrentManagedThreadId)
                    {
                        Volatile.Write(ref s_main, NewMainThread());
                    }
                }

                return s_main!;
            }
        }

        private static WorkerThread NewMainThread() => new WorkerThread(MainThreadName, ThreadKind.Main, isDaemon: false, body: null, sequence: 0);

        public static WorkerThread? MainThread => Volatile.Read(ref s_main);

        /// <summary>The entry for the calling thread: a worker, the main thread, or a foreign thread's entry.</summary>
        public static WorkerThread Current
        {
            get
            {
                if (t_current != null)
                {
                    return t_current;
                }

                WorkerThread? main = MainThread;
                if (main != null && main.ManagedThreadId == Environment.CurrentManagedThreadId)
                {
                    return main;
                }

                // A thread we did not start (a job, a host's thread): one stable entry per thread, never listed.
                int number = Interlocked.Increment(ref s_nextForeignNumber);
                t_current = new WorkerThread("Dummy-" + number, ThreadKind.Foreign, isDaemon: true, body: null, sequence: -1);
                return t_current;
            }
        }

        /// <summary>
        /// <see cref="Current"/>, asked for by the user (Get-ActiveThread -Current): a thread the module did not start
        /// is listed from then on while it lives, as Python's enumerate() lists the dummy thread current_thread() made.
        /// </summary>
        public static WorkerThread CurrentListed()
        {
            WorkerThread current = Current;
            if (current.Kind == ThreadKind.Foreign)
            {
                lock (s_sync)
                {
                    if (!s_foreign.Any(f => ReferenceEquals(f.Key, current)))
                    {
                        s_foreign.Add(new KeyValuePair<WorkerThread, Thread>(current, Thread.CurrentThread));
                    }
                }
            }

            return current;
        }

        /// <summary>Listed foreign threads still alive (under <see cref="s_sync"/>); ended ones are dropped.</summary>
        private static IEnumerable<WorkerThread> LiveForeign()
        {
            s_foreign.RemoveAll(f => !f.Value.IsAlive);
            return s_foreign.Select(f => f.Key).ToList();
        }

        internal static void SetCurrent(WorkerThread? thread) => t_current = thread;

        /// <summary>
        /// Makes <paramref name="thread"/> the calling thread's entry and returns the one it had (null: none of its
        /// own): an inline worker's block runs on its caller's thread, and reports the worker while it runs.
        /// </summary>
        internal static WorkerThread? SwapCurrent(WorkerThread? thread)
        {
            WorkerThread? previous = t_current;
            t_current = thread;
            return previous;
        }

        /// <summary>Python's default thread names: Thread-1, Thread-2, ... unique in the process.</summary>
        public static string NextThreadName() => "Thread-" + Interlocked.Increment(ref s_nextThreadNumber);

        /// <summary>Names of Invoke-ThreadPool -AsJob threads: ThreadPoolJob-1, ThreadPoolJob-2, ...</summary>
        public static string NextPoolJobName() => "ThreadPoolJob-" + Interlocked.Increment(ref s_nextPoolJobNumber);

        /// <summary>The prefix for one pool's workers: ThreadPool-1, ThreadPool-2, ...</summary>
        public static string NextPoolPrefix() => "ThreadPool-" + Interlocked.Increment(ref s_nextPoolNumber);

        /// <summary>Creates, registers and starts a worker on a new dedicated OS thread.</summary>
        public static WorkerThread StartWorker(string? name, bool isDaemon, IThreadBody body, int maxStackSize = 0, TimeSpan? delay = null)
        {
            if (body == null)
            {
                throw new ArgumentNullException(nameof(body));
            }

            EnsureMainThread();
            WorkerThread thread;
            lock (s_sync)
            {
                long sequence = ++s_sequence;
                thread = new WorkerThread(name ?? NextThreadName(), ThreadKind.Worker, isDaemon, body, sequence);
            }

            // Its OS thread is made before it is listed: a listed worker always has its own id, never 0
            // (two workers starting at once were listed with the same id for a moment).
            thread.CreateOsThread(maxStackSize);
            lock (s_sync)
            {
                List(thread);
            }

            if (delay > TimeSpan.Zero)
            {
                thread.Schedule(delay.Value);
            }

            try
            {
                thread.StartOsThread();
            }
            catch (Exception ex)
            {
                // Out of threads or memory: nothing half-started stays listed.
                thread.Finish(WorkerState.Failed, ex);
                throw;
            }

            return thread;
        }

        /// <summary>
        /// Registers a worker whose block runs inline on the calling thread (<c>$PSThreadingMode = 'Inline'</c>):
        /// listed while the block runs, with the calling thread's id. The caller ends it with
        /// <see cref="WorkerThread.Finish"/>.
        /// </summary>
        public static WorkerThread BeginInlineWorker(string? name, bool isDaemon, IThreadBody body)
        {
            EnsureMainThread();
            WorkerThread thread;
            lock (s_sync)
            {
                long sequence = ++s_sequence;
                thread = new WorkerThread(name ?? NextThreadName(), ThreadKind.Worker, isDaemon, body, sequence);
                thread.RunOnCallingThread();
                List(thread);
            }

            return thread;
        }

        /// <summary>
        /// Registers the calling thread as a long-lived pool worker: it is listed while alive and is
        /// <see cref="Current"/> on this thread. The caller ends it with <see cref="EndPoolWorker"/>.
        /// </summary>
        public static WorkerThread BeginPoolWorker(string name)
        {
            EnsureMainThread();
            WorkerThread thread;
            lock (s_sync)
            {
                long sequence = ++s_sequence;
                thread = new WorkerThread(name, ThreadKind.PoolWorker, isDaemon: true, body: null, sequence);
                List(thread);
            }

            t_current = thread;
            return thread;
        }

        public static void EndPoolWorker(WorkerThread thread, WorkerState outcome)
        {
            thread.Finish(outcome);
            if (ReferenceEquals(t_current, thread))
            {
                t_current = null;
            }
        }

        internal static void Unregister(WorkerThread thread)
        {
            lock (s_sync)
            {
                Unlist(thread);
            }
        }

        /// <summary>At a thread's end: keeps it listed for <see cref="Findable"/> while it holds output not yet joined.</summary>
        internal static void UnregisterUnlessUnread(WorkerThread thread)
        {
            lock (s_sync)
            {
                // Under the lock, against a join taking the last results at the same moment (it unregisters after).
                if (thread.PendingResultCount == 0)
                {
                    Unlist(thread);
                }
            }
        }

        /// <summary>Whether a listed worker (alive, or ended with output not yet joined) has this managed thread id.</summary>
        internal static bool IsListedId(int managedThreadId)
        {
            lock (s_sync)
            {
                return s_listedIds.ContainsKey(managedThreadId);
            }
        }

        // Under s_sync. A listed thread's id does not change: it is set before the thread is listed.
        private static void List(WorkerThread thread)
        {
            s_live.Add(thread.Sequence, thread);
            s_listedIds.TryGetValue(thread.ManagedThreadId, out int count);
            s_listedIds[thread.ManagedThreadId] = count + 1;
        }

        // Under s_sync.
        private static void Unlist(WorkerThread thread)
        {
            if (!s_live.Remove(thread.Sequence))
            {
                return;
            }

            int count = s_listedIds[thread.ManagedThreadId];
            if (count <= 1)
            {
                s_listedIds.Remove(thread.ManagedThreadId);
            }
            else
            {
                s_listedIds[thread.ManagedThreadId] = count - 1;
            }
        }

        /// <summary>
        /// What a lookup by name or id searches: <see cref="Enumerate"/>'s threads, then threads that ended with
        /// output not yet joined (like a finished job), in start order.
        /// </summary>
        public static IReadOnlyList<WorkerThread> Findable()
        {
            WorkerThread main = EnsureMainThread();
            lock (s_sync)
            {
                var found = new List<WorkerThread>(s_live.Count + 1) { main };
                found.AddRange(LiveForeign());
                found.AddRange(s_live.Values.Where(t => t.IsAlive || t.PendingResultCount > 0).OrderBy(t => t.Sequence));
                return found;
            }
        }

        /// <summary>Python's <c>enumerate()</c>: the main thread, then every live thread in start order.</summary>
        public static IReadOnlyList<WorkerThread> Enumerate()
        {
            WorkerThread main = EnsureMainThread();
            List<WorkerThread> live;
            lock (s_sync)
            {
                live = new List<WorkerThread>(s_live.Count + 1) { main };
                live.AddRange(LiveForeign());
                live.AddRange(s_live.Values.Where(t => t.IsAlive).OrderBy(t => t.Sequence));
            }

            return live;
        }

        /// <summary>Live non-daemon workers, other than the calling thread: what process exit waits for.</summary>
        public static IReadOnlyList<WorkerThread> LiveNonDaemonWorkers()
        {
            int self = Environment.CurrentManagedThreadId;
            lock (s_sync)
            {
                return s_live.Values
                    .Where(t => t.Kind == ThreadKind.Worker && !t.IsDaemon && t.IsAlive && t.ManagedThreadId != self)
                    .OrderBy(t => t.Sequence)
                    .ToList();
            }
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// The one thread of the process that takes and releases the named mutexes of machine locks. A .NET mutex
    /// belongs to the thread that took it and only that thread may release it; a lock of this module may be
    /// released by any thread (Python's Lock), and freed for a thread that ended. Doing every mutex call here
    /// gives both. The calls are quick (a try, a release): waits poll them (see <see cref="ThreadLock"/>).
    /// Background, so a process that ends holding a mutex leaves it abandoned, as a killed one does.
    /// </summary>
    internal static class MutexThread
    {
        private static readonly BlockingCollection<Action> s_work = new BlockingCollection<Action>();
        private static readonly Lazy<Thread> s_thread = new Lazy<Thread>(StartThread, LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>Runs <paramref name="call"/> on the mutex thread and returns its result or rethrows its exception.</summary>
        public static T Run<T>(Func<T> call)
        {
            Thread thread = s_thread.Value;
            if (ReferenceEquals(Thread.CurrentThread, thread))
            {
                return call();
            }

            T result = default!;
            ExceptionDispatchInfo? error = null;
            using (var done = new ManualResetEventSlim(false))
            {
                s_work.Add(() =>
                {
                    try
                    {
                        result = call();
                    }
                    catch (Exception ex)
                    {
                        error = ExceptionDispatchInfo.Capture(ex);
                    }
                    finally
                    {
                        done.Set();
                    }
                });
                done.Wait();
            }

            error?.Throw();
            return result;
        }

        private static Thread StartThread()
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "PSThreading machine locks" };
            thread.Start();
            return thread;
        }

        private static void Loop()
        {
            foreach (Action work in s_work.GetConsumingEnumerable())
            {
                work();
            }
        }
    }
}

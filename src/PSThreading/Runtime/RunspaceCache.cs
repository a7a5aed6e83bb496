using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation.Host;

namespace PSThreading.Runtime
{
    /// <summary>
    /// Warm worker runspaces, one stack per host. Opening a runspace costs 10-60 ms here, so a worker takes
    /// one that a finished worker gave back and only opens a new one when none is idle.
    /// </summary>
    internal static class RunspaceCache
    {
        // Enough for a burst of workers on a small machine without holding memory for long-gone peaks.
        private static readonly int s_maxIdlePerHost = Math.Max(4, Environment.ProcessorCount * 2);
        private static readonly ConcurrentDictionary<PSHost, ConcurrentStack<WorkerRunspace>> s_idle =
            new ConcurrentDictionary<PSHost, ConcurrentStack<WorkerRunspace>>();
        private static readonly ConcurrentDictionary<Guid, byte> s_workerRunspaceIds = new ConcurrentDictionary<Guid, byte>();

        /// <summary>A warm runspace for this host, or a new one opened on the calling thread.</summary>
        public static WorkerRunspace Take(PSHost host)
        {
            ConcurrentStack<WorkerRunspace> idle = s_idle.GetOrAdd(host, _ => new ConcurrentStack<WorkerRunspace>());
            while (idle.TryPop(out WorkerRunspace? warm))
            {
                if (warm.IsUsable)
                {
                    return warm;
                }

                Discard(warm);
            }

            WorkerRunspace opened = WorkerRunspace.Open(host);
            s_workerRunspaceIds[opened.InstanceId] = 0;
            return opened;
        }

        /// <summary>Gives a runspace back for reuse; one that is broken or over the limit is closed.</summary>
        public static void Return(WorkerRunspace runspace)
        {
            ConcurrentStack<WorkerRunspace> idle = s_idle.GetOrAdd(runspace.Host, _ => new ConcurrentStack<WorkerRunspace>());
            if (runspace.IsUsable && idle.Count < s_maxIdlePerHost)
            {
                idle.Push(runspace);
            }
            else
            {
                Discard(runspace);
            }
        }

        /// <summary>True for runspaces this module opened for its workers.</summary>
        public static bool IsWorkerRunspace(Guid instanceId) => s_workerRunspaceIds.ContainsKey(instanceId);

        public static int IdleCount
        {
            get
            {
                int count = 0;
                foreach (ConcurrentStack<WorkerRunspace> stack in s_idle.Values)
                {
                    count += stack.Count;
                }

                return count;
            }
        }

        /// <summary>Closes every idle runspace (module removal).</summary>
        public static void Clear()
        {
            foreach (KeyValuePair<PSHost, ConcurrentStack<WorkerRunspace>> entry in s_idle)
            {
                while (entry.Value.TryPop(out WorkerRunspace? idle))
                {
                    Discard(idle);
                }
            }
        }

        private static void Discard(WorkerRunspace runspace)
        {
            s_workerRunspaceIds.TryRemove(runspace.InstanceId, out _);
            try
            {
                runspace.Dispose();
            }
            catch (Exception)
            {
                // A runspace that fails to close is already unusable; nothing more to free.
            }
        }
    }
}

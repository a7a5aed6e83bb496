using System.Collections.Generic;
using System.Linq;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Deadlocks
{
    /// <summary>
    /// The wait-for graph seen from one blocked wait: every thread it waits on, directly or through others,
    /// what each of them waits for (a lock, a semaphore, or a thread it joins), and who holds that. Read lock by lock, so not at one instant: a second
    /// read that finds exactly the same waits and lock versions proves the state held all along in between.
    /// </summary>
    internal sealed class WaitGraph
    {
        private readonly ThreadWait _start;
        private readonly Dictionary<WorkerThread, ThreadWait> _waits;
        private readonly Dictionary<IWaitTarget, LockState> _locks;

        private WaitGraph(ThreadWait start, Dictionary<WorkerThread, ThreadWait> waits, Dictionary<IWaitTarget, LockState> locks)
        {
            _start = start;
            _waits = waits;
            _locks = locks;
        }

        /// <summary>
        /// Reads the graph around <paramref name="start"/>. Null when the start cannot be part of a deadlock
        /// that it should break: some thread reached can still go on (it runs, or the lock it waits for has
        /// room), the start is not on a cycle with another thread, the start is timed, or another untimed wait
        /// in the cycle is younger.
        /// </summary>
        public static WaitGraph? ReadAround(ThreadWait start)
        {
            var waits = new Dictionary<WorkerThread, ThreadWait>();
            var locks = new Dictionary<IWaitTarget, LockState>();
            var seen = new HashSet<WorkerThread> { start.Waiter };
            var pending = new Queue<WorkerThread>();
            pending.Enqueue(start.Waiter);
            while (pending.Count > 0)
            {
                WorkerThread thread = pending.Dequeue();
                ThreadWait? wait = ReferenceEquals(thread, start.Waiter) ? start : thread.CurrentWait;
                if (wait == null)
                {
                    return null;
                }

                waits[thread] = wait;
                if (locks.ContainsKey(wait.Target))
                {
                    continue;
                }

                LockState state = wait.Target.ReadState();
                if (state.HasRoom)
                {
                    return null;
                }

                locks[wait.Target] = state;
                foreach (LockHolding holding in state.Holdings)
                {
                    if (seen.Add(holding.Thread))
                    {
                        pending.Enqueue(holding.Thread);
                    }
                }
            }

            var graph = new WaitGraph(start, waits, locks);
            return graph.IsBrokenByStart() ? graph : null;
        }

        /// <summary>True when both reads saw the same waits and the same lock versions.</summary>
        public bool SameAs(WaitGraph other) =>
            _waits.Count == other._waits.Count &&
            _locks.Count == other._locks.Count &&
            _waits.All(pair => other._waits.TryGetValue(pair.Key, out ThreadWait? wait) && ReferenceEquals(wait, pair.Value)) &&
            _locks.All(pair => other._locks.TryGetValue(pair.Key, out LockState? state) && state.Version == pair.Value.Version);

        /// <summary>The shortest cycle from the start back to it: each thread, what it waits for, who holds that.</summary>
        public IReadOnlyList<DeadlockLink> Cycle()
        {
            // Breadth-first from the start; the first edge back to it closes the shortest cycle.
            var cameFrom = new Dictionary<WorkerThread, WorkerThread>();
            var pending = new Queue<WorkerThread>();
            pending.Enqueue(_start.Waiter);
            WorkerThread? last = null;
            while (pending.Count > 0 && last == null)
            {
                WorkerThread thread = pending.Dequeue();
                foreach (WorkerThread holder in HoldersOfWhatWaits(thread))
                {
                    if (ReferenceEquals(holder, _start.Waiter))
                    {
                        last = thread;
                        break;
                    }

                    if (!cameFrom.ContainsKey(holder))
                    {
                        cameFrom[holder] = thread;
                        pending.Enqueue(holder);
                    }
                }
            }

            var path = new List<WorkerThread>();
            for (WorkerThread? step = last; step != null; step = ReferenceEquals(step, _start.Waiter) ? null : cameFrom[step])
            {
                path.Add(step);
            }

            path.Reverse();
            var links = new List<DeadlockLink>(path.Count);
            for (int i = 0; i < path.Count; i++)
            {
                WorkerThread next = path[(i + 1) % path.Count];
                links.Add(new DeadlockLink(path[i], _waits[path[i]].Target, next));
            }

            return links;
        }

        private IEnumerable<WorkerThread> HoldersOfWhatWaits(WorkerThread thread) =>
            _locks[_waits[thread].Target].Holdings.Select(h => h.Thread).Distinct();

        /// <summary>
        /// Every thread reached waits. The start breaks the deadlock when it is on a cycle with another thread
        /// and is the youngest untimed wait on such a cycle: every member computes the same answer, so one wait
        /// fails. A timed wait ends by itself (a back-off loop relies on getting false at its timeout), so it is
        /// never failed, and a cycle of timed waits only is not reported at all: its first timeout breaks it.
        /// </summary>
        private bool IsBrokenByStart()
        {
            // Threads that can reach the start are, since the start reaches every thread here, its cycle-mates.
            var reachers = new Dictionary<WorkerThread, List<WorkerThread>>();
            foreach (WorkerThread thread in _waits.Keys)
            {
                foreach (WorkerThread holder in HoldersOfWhatWaits(thread))
                {
                    if (!reachers.TryGetValue(holder, out List<WorkerThread>? list))
                    {
                        reachers[holder] = list = new List<WorkerThread>();
                    }

                    list.Add(thread);
                }
            }

            var cycleMates = new HashSet<WorkerThread>();
            var pending = new Queue<WorkerThread>();
            pending.Enqueue(_start.Waiter);
            while (pending.Count > 0)
            {
                if (!reachers.TryGetValue(pending.Dequeue(), out List<WorkerThread>? list))
                {
                    continue;
                }

                foreach (WorkerThread thread in list.Where(cycleMates.Add))
                {
                    pending.Enqueue(thread);
                }
            }

            // A thread waiting only on itself is Python's timed self-acquire or a lock used as a signal: not ours to break.
            cycleMates.Remove(_start.Waiter);
            return !_start.IsTimed && cycleMates.Count > 0
                && cycleMates.All(t => _waits[t].IsTimed || IsYounger(_start.Waiter, t));
        }

        /// <summary>
        /// True when <paramref name="a"/>'s wait counts as younger than <paramref name="b"/>'s. A pool call's caller
        /// waits from the call's start, but is held up only once an item it waits for is: it counts as just younger
        /// than the youngest wait of the threads running its items, so that the call fails (and stops its items),
        /// as the join of a thread already waiting does, and not the item while its caller waits on.
        /// </summary>
        private bool IsYounger(WorkerThread a, WorkerThread b)
        {
            (long ageA, int callerA) = Age(a);
            (long ageB, int callerB) = Age(b);
            return ageA != ageB ? ageA > ageB
                : callerA != callerB ? callerA > callerB
                : _waits[a].Number > _waits[b].Number;
        }

        private (long Number, int IsPoolCaller) Age(WorkerThread thread)
        {
            ThreadWait wait = _waits[thread];
            if (!(wait.Target is Pool.PoolCallerWait))
            {
                return (wait.Number, 0);
            }

            long youngest = wait.Number;
            foreach (WorkerThread holder in HoldersOfWhatWaits(thread))
            {
                youngest = System.Math.Max(youngest, _waits[holder].Number);
            }

            return (youngest, 1);
        }
    }
}

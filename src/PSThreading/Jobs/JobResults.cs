using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Hosts;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Jobs
{
    /// <summary>
    /// An -AsJob job's results, held in the job's streams (what Receive-Job reads) and read from there by
    /// Wait-WorkerThread too, in the order written across streams. One reader consumes: an item taken by either
    /// reader is gone for the other; Receive-Job -Keep leaves everything for the next reader.
    /// </summary>
    internal class JobResults : IResultHolder
    {
        private const int Kinds = 6;

        private readonly object _sync = new object();
        // Every held item with its stream, in the order written. Receive-Job takes items without telling us,
        // always the oldest of a stream (it reads a stream whole, or from its front): what a stream lost that
        // way is counted in _readElsewhere and skipped here, oldest first.
        private readonly Queue<KeyValuePair<int, object>> _order = new Queue<KeyValuePair<int, object>>();
        private readonly int[] _inStream = new int[Kinds];
        private readonly int[] _readElsewhere = new int[Kinds];
        private Action<WorkerState>? _ended;
        private WorkerState? _outcome;

        public JobResults()
        {
            Output = Open(new PSDataCollection<PSObject>());
            Error = Open(new PSDataCollection<ErrorRecord>());
            Warning = Open(new PSDataCollection<WarningRecord>());
            Verbose = Open(new PSDataCollection<VerboseRecord>());
            Debug = Open(new PSDataCollection<DebugRecord>());
            Information = Open(new PSDataCollection<InformationRecord>());
        }

        public PSDataCollection<PSObject> Output { get; }

        public PSDataCollection<ErrorRecord> Error { get; }

        public PSDataCollection<WarningRecord> Warning { get; }

        public PSDataCollection<VerboseRecord> Verbose { get; }

        public PSDataCollection<DebugRecord> Debug { get; }

        public PSDataCollection<InformationRecord> Information { get; }

        public int HeldCount => Output.Count + Error.Count + Warning.Count + Verbose.Count + Debug.Count + Information.Count;

        /// <summary>On the worker's thread, as it writes. Work for a joiner (a prompt) stays on the thread: only a join can answer it.</summary>
        public bool TryHold(object item)
        {
            int kind = KindOf(item);
            if (kind < 0)
            {
                return false;
            }

            object held = kind == 0 ? PSObject.AsPSObject(item) : item;
            lock (_sync)
            {
                // Added under the lock, so a take sees the item in its stream once it sees it in the order.
                Add(kind, held);
                _inStream[kind]++;
                _order.Enqueue(new KeyValuePair<int, object>(kind, held));
                if (_order.Count > (2 * HeldCount) + 256)
                {
                    DropReadElsewhere();
                }
            }

            return true;
        }

        /// <summary>The oldest item no reader has taken, removed from its stream (Wait-WorkerThread's read).</summary>
        public bool TryTakeHeld(out object? item)
        {
            lock (_sync)
            {
                NoteReadElsewhere();
                while (_order.Count > 0)
                {
                    KeyValuePair<int, object> next = _order.Dequeue();
                    if (_readElsewhere[next.Key] > 0)
                    {
                        _readElsewhere[next.Key]--;
                        continue;
                    }

                    _inStream[next.Key]--;
                    if (Remove(next.Key, next.Value))
                    {
                        item = next.Value;
                        return true;
                    }
                }
            }

            item = null;
            return false;
        }

        /// <summary>
        /// Has <paramref name="ended"/> called once the thread ends, before its state says so (see
        /// <see cref="IResultHolder.ThreadEnded"/>); at once when it ended already, so a job registered late misses nothing.
        /// </summary>
        public void OnEnded(Action<WorkerState> ended)
        {
            WorkerState? outcome;
            lock (_sync)
            {
                _ended = ended;
                outcome = _outcome;
            }

            if (outcome.HasValue)
            {
                Invoke(ended, outcome.Value);
            }
        }

        public void ThreadEnded(WorkerState outcome)
        {
            Action<WorkerState>? ended;
            lock (_sync)
            {
                _outcome = outcome;
                ended = _ended;
            }

            if (ended != null)
            {
                Invoke(ended, outcome);
            }
        }

        private static void Invoke(Action<WorkerState> ended, WorkerState outcome)
        {
            try
            {
                ended(outcome);
            }
            catch (Exception)
            {
                // A handler of the job's StateChanged event that throws cannot fail the thread's end.
            }
        }

        private static PSDataCollection<T> Open<T>(PSDataCollection<T> collection)
        {
            // A reader enumerating a stream must get what is there, not wait for the job to end.
            collection.EnumeratorNeverBlocks = true;
            return collection;
        }

        private static int KindOf(object item)
        {
            switch (item)
            {
                case IJoinerWork _:
                case ProgressRecord _:
                    return -1;
                case ErrorRecord _:
                    return 1;
                case WarningRecord _:
                    return 2;
                case VerboseRecord _:
                    return 3;
                case DebugRecord _:
                    return 4;
                case InformationRecord _:
                    return 5;
                default:
                    return 0;
            }
        }

        private int CountOf(int kind) => kind switch
        {
            0 => Output.Count,
            1 => Error.Count,
            2 => Warning.Count,
            3 => Verbose.Count,
            4 => Debug.Count,
            _ => Information.Count,
        };

        private void Add(int kind, object item)
        {
            switch (kind)
            {
                case 0: Output.Add((PSObject)item); break;
                case 1: Error.Add((ErrorRecord)item); break;
                case 2: Warning.Add((WarningRecord)item); break;
                case 3: Verbose.Add((VerboseRecord)item); break;
                case 4: Debug.Add((DebugRecord)item); break;
                default: Information.Add((InformationRecord)item); break;
            }
        }

        private bool Remove(int kind, object item)
        {
            try
            {
                return kind switch
                {
                    0 => Output.Remove((PSObject)item),
                    1 => Error.Remove((ErrorRecord)item),
                    2 => Warning.Remove((WarningRecord)item),
                    3 => Verbose.Remove((VerboseRecord)item),
                    4 => Debug.Remove((DebugRecord)item),
                    _ => Information.Remove((InformationRecord)item),
                };
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>Counts what each stream lost to another reader since the last look.</summary>
        private void NoteReadElsewhere()
        {
            for (int kind = 0; kind < Kinds; kind++)
            {
                int lost = _inStream[kind] - CountOf(kind);
                if (lost > 0)
                {
                    _readElsewhere[kind] += lost;
                    _inStream[kind] -= lost;
                }
            }
        }

        /// <summary>Drops from the order the items other readers took, when only Receive-Job reads the job.</summary>
        private void DropReadElsewhere()
        {
            NoteReadElsewhere();
            int count = _order.Count;
            for (int i = 0; i < count; i++)
            {
                KeyValuePair<int, object> next = _order.Dequeue();
                if (_readElsewhere[next.Key] > 0)
                {
                    _readElsewhere[next.Key]--;
                }
                else
                {
                    _order.Enqueue(next);
                }
            }
        }
    }
}

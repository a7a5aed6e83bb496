using System;
using System.Collections.Generic;
using PSThreading.Core.Threads;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// Python's <c>threading.Lock</c>, or with <c>reentrant</c> its <c>RLock</c>. A plain lock is not owned:
    /// any thread may release it, and its holder cannot take it again. A reentrant lock counts its holder's
    /// nested acquires and only the holder may release it. When a holder ends without releasing, see
    /// <see cref="SyncPrimitive.OnHolderEnded"/> for which locks are freed and marked abandoned. A machine lock
    /// (<see cref="LockScope.Machine"/>) also holds a named mutex while held, shutting out every other process of
    /// the user (see <see cref="MachineMutex"/>); within the process it behaves as a process lock.
    /// </summary>
    public sealed class ThreadLock : SyncPrimitive
    {
        private WorkerThread? _owner;
        private int _count;
        private long _sinceUtcTicks;
        private string? _abandonedBy;
        private string? _takenAfterAbandonBy;

        // How often a waiter for a machine lock tries the mutex again: a release in another process cannot pulse
        // this process's monitor.
        private static readonly TimeSpan s_machinePollInterval = TimeSpan.FromMilliseconds(15);

        private readonly MachineMutex? _machine;

        internal ThreadLock(string? name = null, bool reentrant = false, LockScope scope = LockScope.Process)
            : base(name, reentrant ? "RLock" : "Lock")
        {
            IsReentrant = reentrant;
            if (scope == LockScope.Machine)
            {
                _machine = MachineMutex.ForLockName(name ?? throw new ArgumentException("A machine lock needs a name.", nameof(name)));
            }
        }

        public override string Kind => IsReentrant ? "RLock" : "Lock";

        public bool IsReentrant { get; }

        public bool IsLocked => _owner != null;

        /// <summary>Process, or Machine for a lock held across every process of the user (a locked file of the user's).</summary>
        public LockScope Scope => _machine == null ? LockScope.Process : LockScope.Machine;

        /// <summary>
        /// For a machine lock, its name as every process of the user sees it (documented: the name its holder
        /// file is named after; it keeps the name and form of the named mutex the lock once was); null for a
        /// process lock.
        /// </summary>
        public string? MutexName => _machine?.MutexName;

        /// <summary>
        /// Who holds it, with the process: a thread of this process, or for a machine lock held by another process,
        /// what that process wrote beside the mutex (null when it wrote nothing, or when the lock is free).
        /// </summary>
        public MachineLockHolder? Holder
        {
            get
            {
                IReadOnlyList<LockHolding> holders = Holders;
                if (holders.Count > 0)
                {
                    return MachineLockHolder.InThisProcess(holders[0].Thread, holders[0].Since.ToUniversalTime().Ticks);
                }

                return _machine?.ReadHolder();
            }
        }

        /// <summary>The thread holding it (its Name and ManagedThreadId), or null when free.</summary>
        public WorkerThread? Owner => _owner;

        /// <summary>When the holder took it, or null when free.</summary>
        public DateTime? HeldSince
        {
            get
            {
                IReadOnlyList<LockHolding> holders = Holders;
                return holders.Count == 0 ? (DateTime?)null : holders[0].Since;
            }
        }

        /// <summary>How many times the holder has taken it without releasing: 0 when free, above 1 only when reentrant.</summary>
        public int Count => _count;

        /// <summary>
        /// For a condition's wait: gives the lock up entirely, however deeply <paramref name="self"/> holds it,
        /// and returns how deeply, for <see cref="RestoreAfterWait"/>. Not held by <paramref name="self"/>: LockNotHeld.
        /// </summary>
        internal int ReleaseForWait(WorkerThread self, string usedBy)
        {
            int levels = 0;
            ChangeState(() =>
            {
                if (!ReferenceEquals(_owner, self))
                {
                    throw new LockNotHeldException(this,
                        $"{usedBy} needs its lock '{Name}' held by the calling thread '{self.Name}', which does not hold it. " +
                        "Take the lock first: Invoke-WithLock $condition { ... }, or $condition.Lock.Acquire() and Release().");
                }

                levels = _count;
                _count = 1;
                Give(self);
            });
            return levels;
        }

        /// <summary>After a condition's wait: takes the lock back as deeply as <see cref="ReleaseForWait"/> gave it up.</summary>
        internal void RestoreAfterWait(int levels)
        {
            Acquire();
            ChangeState(() => _count = levels);
        }

        private protected override bool HasRoom => _owner == null;

        private protected override bool IsOwned => IsReentrant;

        private protected override TimeSpan? PollInterval => _machine == null ? (TimeSpan?)null : s_machinePollInterval;

        private protected override bool TryTake(WorkerThread self, bool isTimed)
        {
            if (_owner == null)
            {
                string? abandonedBy = _abandonedBy;
                if (_machine != null)
                {
                    if (!_machine.TryTake(out bool abandoned, out MachineLockHolder? lastHolder))
                    {
                        return false;
                    }

                    // A holder of this process that ended is named by its thread, as for a process lock.
                    if (abandoned && lastHolder?.IsThisProcess != true)
                    {
                        abandonedBy = lastHolder?.ToString() ?? "process (unknown: it left no holder information)";
                    }
                }

                _owner = self;
                _count = 1;
                _sinceUtcTicks = DateTime.UtcNow.Ticks;
                _takenAfterAbandonBy = abandonedBy;
                _abandonedBy = null;
                self.NoteHeld(this);
                _machine?.WriteHolder(MachineLockHolder.InThisProcess(self, _sinceUtcTicks));
                return true;
            }

            if (!ReferenceEquals(_owner, self))
            {
                return false;
            }

            if (IsReentrant)
            {
                _count++;
                return true;
            }

            if (isTimed)
            {
                // Python: a timed acquire by the holder waits out its timeout (another thread may release).
                return false;
            }

            throw new LockAlreadyHeldException(this,
                $"Thread '{self.Name}' already holds lock '{Name}', which is not reentrant: waiting for it would hang forever. " +
                "Release it before taking it again, pass a timeout (Acquire(seconds)) to try anyway, " +
                "or create it with New-ThreadLock -Reentrant so that its holder may take it again.");
        }

        private protected override void Give(WorkerThread self)
        {
            WorkerThread? owner = _owner;
            if (owner == null)
            {
                throw new LockNotHeldException(this,
                    $"Cannot release {Kind} '{Name}': nobody holds it. Release a lock once for each Acquire() that returned $true; " +
                    "Invoke-WithLock does both for you.");
            }

            if (IsReentrant && !ReferenceEquals(owner, self))
            {
                throw new LockNotOwnedException(this,
                    $"Cannot release RLock '{Name}' from thread '{self.Name}' (id {self.ManagedThreadId}): it is held by thread " +
                    $"'{owner.Name}' (id {owner.ManagedThreadId}), and only the thread that took a reentrant lock may release it. " +
                    "Release it in that thread, or use a lock made without -Reentrant if another thread must release it.");
            }

            if (--_count == 0)
            {
                _owner = null;
                _takenAfterAbandonBy = null;
                owner.NoteReleased(this);
                _machine?.Release();
            }
        }

        private protected override IReadOnlyList<LockHolding> CopyHoldings() =>
            _owner == null ? Array.Empty<LockHolding>() : new[] { new LockHolding(_owner, _sinceUtcTicks, _takenAfterAbandonBy) };

        private protected override void Abandon(WorkerThread thread)
        {
            if (ReferenceEquals(_owner, thread))
            {
                _owner = null;
                _count = 0;
                _takenAfterAbandonBy = null;
                _abandonedBy = thread.Name;
                thread.NoteReleased(this);
                _machine?.Release(abandoned: true);
            }
        }
    }
}

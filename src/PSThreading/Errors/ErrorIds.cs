using PSThreading.Values;

namespace PSThreading.Errors
{
    /// <summary>
    /// The ErrorIds of the errors the cmdlets raise themselves: part of the public contract, listed in
    /// about_PSThreading ("Error ids"). The core's errors carry theirs (<see cref="Core.Sync.LockErrorId"/>,
    /// <see cref="Core.Sync.SyncErrorId"/>), and a worker's own error keeps the id it was raised with.
    /// </summary>
    internal static class ErrorIds
    {
        public const string WorkerThreadFailed = "WorkerThreadFailed";
        public const string CannotWaitOnCurrentThread = "CannotWaitOnCurrentThread";
        public const string CannotWaitOnThread = "CannotWaitOnThread";
        public const string CannotStopThread = "CannotStopThread";
        public const string UsingVariableUndefined = "UsingVariableUndefined";
        public const string ThreadStartFailed = "ThreadStartFailed";
        public const string ThreadNotFound = "ThreadNotFound";
        public const string PoolTimeout = "PoolTimeout";
        public const string ItemTimeout = "ItemTimeout";
        public const string PoolWorkerFailed = "PoolWorkerFailed";
        public const string ScriptBlockInContainer = "ScriptBlockInContainer";
        public const string UsingInScriptBlockValue = "UsingInScriptBlockValue";
        public const string RunspaceBoundClassInstance = "RunspaceBoundClassInstance";
        public const string RunspaceBoundScriptMember = "RunspaceBoundScriptMember";
        public const string MachineLockNeedsName = "MachineLockNeedsName";
        public const string PoolBeginFailed = "PoolBeginFailed";
        public const string FunctionNotFound = "FunctionNotFound";
        public const string ModuleNotFound = "ModuleNotFound";
        public const string SessionNotOpened = "SessionNotOpened";
        public const string RemoteSessionLost = "RemoteSessionLost";
        public const string RemoteScriptFailed = "RemoteScriptFailed";
        public const string PromptNotAnswered = "PromptNotAnswered";
        public const string InvalidThreadingMode = "InvalidThreadingMode";
        public const string InvalidLockName = "InvalidLockName";
        public const string PoolItemFailed = "PoolItemFailed";
        public const string PoolItemStopped = "PoolItemStopped";
    }
}

using System;
using System.Management.Automation;
using PSThreading.Core.Sync;
using PSThreading.Engine;

namespace PSThreading.Attributes
{
    /// <summary>
    /// Lets a name stand for a lock: <c>Invoke-WithLock db { ... }</c> uses the named lock or semaphore
    /// 'db', making a plain lock of that name if there is none yet (as <c>New-ThreadLock -Name db</c> would).
    /// A condition stands for its lock: <c>Invoke-WithLock $condition { ... }</c> is Python's <c>with condition:</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class LockArgumentTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is Core.Sync.ThreadCondition condition)
            {
                return condition.Lock;
            }

            return value is string name && !string.IsNullOrWhiteSpace(name) ? FindOrCreate(name) : inputData;
        }

        /// <summary>The named lock or semaphore, or a new plain lock of that name.</summary>
        public static SyncPrimitive FindOrCreate(string name) =>
            LockRegistry.FindAny(name) is Core.Sync.ThreadCondition condition
                ? condition.Lock
                : LockRegistry.Find(name) ?? LockRegistry.GetOrCreateLock(name, reentrant: false);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>with lock:</c>. Takes the lock or semaphore, runs the block in the caller's scope with its
    /// output streaming down the pipeline, and releases on every way out: normal end, a throw,
    /// break/continue/return, Ctrl+C.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "WithLock", DefaultParameterSetName = LockSet)]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeWithLockCommand : CancellablePSCmdlet
    {
        private const string LockSet = "Lock";
        private const string NameSet = "Name";

        // Without DotSourceInvoke: run with useNewScope false, this dot-sources the user's block into the caller's
        // scope. Going through InvokeScript with PipelineResultTypes.Output makes the engine write each object to
        // this command's output pipe as it is produced, which WriteObject on a collected result could not do.
        private const string DotSourceFirstArgument = ". $args[0]";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = LockSet)]
        [ValidateNotNull]
        [LockArgumentTransformation]
        public SyncPrimitive Lock { get; set; } = null!;

        [Parameter(Mandatory = true, ParameterSetName = NameSet)]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string Name { get; set; } = null!;

        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNull]
        public ScriptBlock ScriptBlock { get; set; } = null!;

        /// <summary>With -Name: Machine takes the lock of that name across every process of the user (see New-ThreadLock -Scope).</summary>
        [Parameter(ParameterSetName = NameSet)]
        public LockScope Scope { get; set; } = LockScope.Process;

        /// <summary>Seconds to wait for the lock at most (-1: no limit); then a LockTimeout error, and the block does not run.</summary>
        [Parameter]
        public double Timeout { get; set; } = TimeoutParameter.NoLimit;

        private TimeSpan? _timeout;

        protected override void BeginProcessing() => _timeout = TimeoutParameter.ToLimit(this, nameof(Timeout), Timeout);

        protected override void ProcessRecord()
        {
            SyncPrimitive target = ParameterSetName == NameSet
                ? LockErrorRecord.Run(this, () => Scope == LockScope.Machine
                    ? LockRegistry.GetOrCreateLock(Name, reentrant: false, LockScope.Machine)
                    : LockArgumentTransformationAttribute.FindOrCreate(Name), Name)
                : Lock;
            TimeSpan? timeout = _timeout;

            Take(target, timeout);
            bool finished = false;
            try
            {
                string? abandonedBy = target.AbandonedByFor(ThreadRegistry.Current);
                if (abandonedBy != null)
                {
                    WriteWarning(AbandonedLockWarning.Message(target, abandonedBy));
                }

                if (!DotSourceInvoke.TryInvoke(ScriptBlock, this))
                {
                    InvokeCommand.InvokeScript(DotSourceFirstArgument, false, PipelineResultTypes.Output | PipelineResultTypes.Error, null, ScriptBlock);
                }
                finished = true;
            }
            finally
            {
                Release(target, finished);
            }
        }

        private void Take(SyncPrimitive target, TimeSpan? timeout)
        {
            bool taken;
            try
            {
                taken = LockErrorRecord.Run(this, () => target.Acquire(timeout, CancelToken), target);
            }
            catch (OperationCanceledException)
            {
                ThrowIfStopping();
                throw;
            }

            if (!taken)
            {
                var error = new LockTimeoutException(target, timeout!.Value, DescribeTimeout(target, timeout.Value));
                ThrowTerminatingError(LockErrorRecord.From(error));
            }
        }

        private void Release(SyncPrimitive target, bool blockFinished)
        {
            try
            {
                target.Release();
            }
            catch (ThreadLockException ex) when (blockFinished)
            {
                // The block released it itself: say so, rather than hide it.
                ThrowTerminatingError(LockErrorRecord.From(ex));
            }
            catch (ThreadLockException)
            {
                // An error is already on its way out of the block: that is the one to report.
            }
        }

        private static string DescribeTimeout(SyncPrimitive target, TimeSpan timeout)
        {
            IReadOnlyList<LockHolding> holders = target.Holders;
            string seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            MachineLockHolder? elsewhere = holders.Count == 0 && target is ThreadLock { Scope: LockScope.Machine } machineLock ? machineLock.Holder : null;
            string held = holders.Count == 0
                ? elsewhere != null
                    ? $"it is held by another process: {elsewhere}"
                    : target is ThreadLock { Scope: LockScope.Machine }
                        ? "it is held by another process, which has not said who it is (or has just released it)"
                        : "it was busy the whole time but has just been released"
                : target is ThreadSemaphore semaphore
                    ? $"all {semaphore.Count} of its permits are held, by {string.Join(", ", holders)}"
                    : $"it is held by {holders[0]}";
            return $"Timed out after {seconds} seconds waiting for {target.Kind} '{target.Name}': {held}. " +
                (elsewhere != null
                    ? "Give a longer -Timeout, or see what that process is doing (Get-Process -Id " + elsewhere.ProcessId.ToString(CultureInfo.InvariantCulture) + ")."
                    : "Give a longer -Timeout, or see what the holder is doing: Get-ActiveThread shows the locks each thread holds and waits for.");
        }
    }
}

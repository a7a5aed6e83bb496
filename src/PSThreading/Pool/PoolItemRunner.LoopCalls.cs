using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using PSThreading.Engine;
using PSThreading.Values;

namespace PSThreading.Pool
{
    internal sealed partial class PoolItemRunner
    {
        /// <summary>
        /// What the loop script may call, as delegates: public BCL types PowerShell can <c>.Invoke()</c> while
        /// the runner stays internal. The script keeps them in private variables and removes the parameters that
        /// brought them (see <see cref="PoolLoopScript"/>), so an item's block cannot take another item or
        /// complete one with output of its choosing.
        /// </summary>
        private sealed class LoopCalls
        {
            private readonly Func<SessionState, bool> _moveNextAt;
            private readonly Func<bool> _moveNext;
            private readonly Func<object?> _current;
            private readonly Action _complete;
            private readonly Action<object[]?> _completeWith;
            private readonly Action<ErrorRecord> _fail;
            private readonly StrongBox<bool> _itemReturned;

            internal LoopCalls(PoolItemRunner runner)
            {
                _moveNextAt = runner.MoveNext;
                _moveNext = runner.MoveNext;
                _current = () => runner.Current;
                _complete = runner.Complete;
                _completeWith = runner.Complete;
                _fail = runner.Fail;
                _itemReturned = runner._currentReturned;
            }

            internal void AddTo(PowerShell ps, string blockText, object[] arguments) => ps
                .AddParameter(PoolLoopScript.MoveNextAtParameter, _moveNextAt)
                .AddParameter(PoolLoopScript.MoveNextParameter, _moveNext)
                .AddParameter(PoolLoopScript.CurrentParameter, _current)
                .AddParameter(PoolLoopScript.CompleteParameter, _complete)
                .AddParameter(PoolLoopScript.CompleteWithParameter, _completeWith)
                .AddParameter(PoolLoopScript.FailParameter, _fail)
                .AddParameter(PoolLoopScript.BlockTextParameter, blockText)
                .AddParameter(PoolLoopScript.ArgumentsParameter, arguments)
                .AddParameter(PoolLoopScript.ItemReturnedParameter, _itemReturned);
        }
    }
}

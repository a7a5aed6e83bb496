using System.Management.Automation;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Errors
{
    /// <summary>
    /// The commonest newcomer mistakes: a worker calls a function defined at the caller's prompt, which a worker
    /// runspace does not have, or reads a caller's variable without $using:. The error, written by the caller's
    /// cmdlet, gains a line saying how to bring the function (-Function) or the value ($using:) along, when the
    /// caller has one of that name.
    /// </summary>
    internal static class CommandNotFoundHint
    {
        /// <summary>
        /// The record to write: <paramref name="record"/> itself, or a copy whose CommandNotFoundException says to
        /// pass -Function (same exception type, ErrorId, category and position). Runs on the caller's pipeline thread.
        /// </summary>
        public static ErrorRecord Apply(ErrorRecord record, PSCmdlet caller)
        {
            if (UsingHint(record, caller) is string usingHint)
            {
                // A new record: ErrorRecord's copy constructor keeps the original exception, whose message has no hint.
                ErrorRecord withUsing = WorkerErrorRecord.Copy(record, new RuntimeException(record.Exception.Message + usingHint, record.Exception), record.TargetObject, writer: caller);
                withUsing.ErrorDetails = record.ErrorDetails == null ? null : new ErrorDetails(record.ErrorDetails.Message + usingHint);
                return withUsing;
            }

            if (record.Exception is RemoteException && DeserializedNotFound(record) is string remoteName && CallerHasFunction(caller, remoteName))
            {
                // From a worker process or a node: the exception came back deserialized, as a RemoteException.
                string remoteHint = $" The caller has a function '{remoteName}'; pass -Function {remoteName} to define it there.";
                ErrorRecord withFunction = WorkerErrorRecord.Copy(record, new RemoteException(record.Exception.Message + remoteHint, record.Exception), record.TargetObject, writer: caller);
                withFunction.ErrorDetails = new ErrorDetails((record.ErrorDetails?.Message ?? record.Exception.Message) + remoteHint);
                return withFunction;
            }

            if (!(record.Exception is CommandNotFoundException notFound) || string.IsNullOrEmpty(notFound.CommandName))
            {
                return record;
            }

            string name = notFound.CommandName;
            if (!CallerHasFunction(caller, name))
            {
                return record;
            }

            string hint = $" The caller has a function '{name}'; pass -Function {name} to define it in the worker.";
            // A new record: ErrorRecord's copy constructor keeps the original exception, whose message has no hint.
            var withHint = new CommandNotFoundException(notFound.Message + hint, notFound) { CommandName = name };
            ErrorRecord copy = WorkerErrorRecord.Copy(record, withHint, record.TargetObject, writer: caller);
            copy.ErrorDetails = record.ErrorDetails == null ? null : new ErrorDetails(record.ErrorDetails.Message + hint);
            return copy;
        }

        /// <summary>
        /// The second commonest: a caller's variable read without $using: under Set-StrictMode fails as "cannot be
        /// retrieved" in the worker. The hint, when the caller has a variable of that name; else null.
        /// </summary>
        public static string? UsingHint(ErrorRecord? record, PSCmdlet caller)
        {
            if (record != null && !(IsUndefinedVariable(record) && record.TargetObject is string) && record.Exception is IContainsErrorRecord inner)
            {
                // A pool item's record names the item, or wraps the worker's own: the exception's record names the variable.
                record = inner.ErrorRecord;
            }

            if (record == null || !IsUndefinedVariable(record)
                || !(record.TargetObject is string name) || name.Length == 0)
            {
                return null;
            }

            try
            {
                if (caller.SessionState.PSVariable.Get(name) == null)
                {
                    return null;
                }
            }
            catch (RuntimeException)
            {
                return null;
            }

            return $" The caller has a variable '{name}'; write $using:{name} to use its value in the worker.";
        }

        /// <summary>The command a deserialized CommandNotFound error names (its target), or null.</summary>
        private static string? DeserializedNotFound(ErrorRecord record)
        {
            // The pool's record names the item; the remote exception's own record, the command.
            ErrorRecord? original = (record.Exception as RemoteException)?.ErrorRecord;
            return original != null && original.CategoryInfo.Reason == nameof(CommandNotFoundException)
                && original.TargetObject is string name && name.Length > 0 ? name : null;
        }

        private static bool IsUndefinedVariable(ErrorRecord record) =>
            record.FullyQualifiedErrorId.StartsWith("VariableIsUndefined", System.StringComparison.Ordinal);

        private static bool CallerHasFunction(PSCmdlet caller, string name)
        {
            try
            {
                return caller.SessionState.InvokeCommand.GetCommand(name, CommandTypes.Function | CommandTypes.Filter) != null;
            }
            catch (RuntimeException)
            {
                // A name the command lookup refuses: no hint, the original error stands.
                return false;
            }
        }
    }
}

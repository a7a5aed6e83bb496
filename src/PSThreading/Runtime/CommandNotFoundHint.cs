using System.Management.Automation;

namespace PSThreading.Runtime
{
    /// <summary>
    /// The commonest newcomer mistake: a worker calls a function defined at the caller's prompt, which a worker
    /// runspace does not have. Its "not recognized" error, written by the caller's cmdlet, gains a line saying
    /// how to bring the function along (-Function), when the caller has a function of that name.
    /// </summary>
    internal static class CommandNotFoundHint
    {
        /// <summary>
        /// The record to write: <paramref name="record"/> itself, or a copy whose CommandNotFoundException says to
        /// pass -Function (same exception type, ErrorId, category and position). Runs on the caller's pipeline thread.
        /// </summary>
        public static ErrorRecord Apply(ErrorRecord record, PSCmdlet caller)
        {
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
            ErrorRecord copy = WorkerErrorRecord.Copy(record, withHint, record.TargetObject);
            copy.ErrorDetails = record.ErrorDetails == null ? null : new ErrorDetails(record.ErrorDetails.Message + hint);
            return copy;
        }

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

using System;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Hosts;
using PSThreading.Pool;
using PSThreading.Values;
using PSThreading.Workers;

namespace PSThreading.Commands
{
    /// <summary>
    /// What the join writes for a thread: each queued item through the caller's stream it was written to, in
    /// queue order, on this pipeline thread; work a worker handed to its joiner (a prompt) is run here.
    /// </summary>
    public sealed partial class WaitWorkerThreadCommand
    {
        /// <summary>Writes an ended thread's results (or the thread itself with -PassThru) and its failure.</summary>
        private void Write(WorkerThread thread)
        {
            if (PassThru)
            {
                WriteObject(thread);
                return;
            }

            WriteQueued(thread);
            if (thread.State == WorkerState.Failed && thread.Body is IThreadFailure body && body.TryClaimFailureReport())
            {
                Exception error = thread.Error ?? new InvalidOperationException($"Thread '{thread.Name}' failed.");
                ErrorRecord record = ThreadFailureRecord.For(thread, error, body.FailureRecord);
                if (CommandNotFoundHint.UsingHint(body.FailureRecord, this) is string usingHint)
                {
                    record.ErrorDetails = new ErrorDetails(record.ErrorDetails.Message + usingHint) { RecommendedAction = record.ErrorDetails.RecommendedAction };
                }
                WriteError(record);
            }
        }

        /// <summary>Writes what the thread has queued so far; with -PassThru its results stay on it.</summary>
        private void WriteQueued(WorkerThread thread)
        {
            if (PassThru)
            {
                return;
            }

            while (thread.TryTakeResult(out object? item))
            {
                WriteItem(thread, item);
            }

            // A prompt comes after what the thread queued before it; it stays offered until a join answers it.
            if (thread.Offered is JoinerPrompt prompt)
            {
                // -Any returns once one thread ends: after it showed one thread's prompt it leaves the others offered,
                // since that thread ends a moment after its answer and a prompt shown meanwhile would hold the join.
                bool leftByAny = Any && _anyPrompted != null && _anyPrompted != thread;
                if (prompt.Answer(this, mayShow: !_timed && !leftByAny))
                {
                    _anyPrompted ??= Any ? thread : null;
                }
                else if (_promptsLeft.Add(thread))
                {
                    // A prompt holds the join until answered: a timed join would outlive its timeout, so it leaves it.
                    WriteWarning(leftByAny
                        ? $"Thread '{thread.Name}' waits at a prompt, left for another join: Wait-WorkerThread -Any answered one thread's prompt. " +
                            $"Run Wait-WorkerThread -Name '{thread.Name}' to answer it."
                        : $"Thread '{thread.Name}' waits at a prompt, which a join with -Timeout does not show. " +
                            $"Run Wait-WorkerThread -Name '{thread.Name}' without -Timeout to answer it.");
                }
            }
        }

        private void WriteItem(WorkerThread thread, object? item)
        {
            switch (item)
            {
                case IJoinerWork work:
                    work.Run(this);
                    break;
                case ErrorRecord error when error.TargetObject == thread:
                    // About the thread itself (a job's WorkerThreadFailed, held with its results): it names the thread.
                    WriteError(error);
                    break;
                case ErrorRecord error:
                    WriteError(NamingThread(CommandNotFoundHint.Apply(error, this), thread, this));
                    break;
                case WarningRecord warning:
                    _records!.WriteWarning(warning);
                    break;
                case VerboseRecord verbose:
                    _records!.WriteVerbose(verbose);
                    break;
                case DebugRecord debug:
                    _records!.WriteDebug(debug);
                    break;
                case InformationRecord information:
                    WriteInformation(information);
                    break;
                default:
                    WriteObject(item);
                    break;
            }
        }

        /// <summary>
        /// The worker's error, its message led by the thread's name: seen among several threads' output, an error
        /// must say where it came from. Exception, error id, category, target and the worker's invocation stay
        /// (see <see cref="WorkerErrorRecord"/>).
        /// </summary>
        internal static ErrorRecord NamingThread(ErrorRecord error, WorkerThread thread, Cmdlet? writer = null)
        {
            string message = error.ErrorDetails?.Message is string details && details.Length > 0 ? details : error.Exception.Message;
            error.ErrorDetails = new ErrorDetails($"[{thread.Name}] {message}")
            {
                RecommendedAction = error.ErrorDetails?.RecommendedAction,
            };
            WorkerErrorRecord.KeepInvocation(error, writer);
            return error;
        }
    }
}

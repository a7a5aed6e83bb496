using System;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Errors;

namespace PSThreading.Runtime
{
    /// <summary>
    /// A prompt of a worker (Read-Host, a confirmation, PromptForChoice, Get-Credential) asked by whoever joins
    /// it: the worker queues it with its output and waits, shown as Blocked; the join runs it on its pipeline
    /// thread through the caller's real host UI and hands the answer (or the failure) back. Read on the worker's
    /// own thread, the console was read by it and by PSReadLine at once and keystrokes were split between them.
    /// </summary>
    internal sealed class JoinerPrompt : IJoinerWork
    {
        private const int Pending = 0;
        private const int Asking = 1;
        private const int Abandoned = 2;

        private readonly Func<PSHostUserInterface, object?> _ask;
        private readonly string _threadName;
        private readonly ManualResetEventSlim _answered = new ManualResetEventSlim(false);
        private int _state;
        private object? _answer;
        private Exception? _failure;

        private JoinerPrompt(Func<PSHostUserInterface, object?> ask, string threadName)
        {
            _ask = ask;
            _threadName = threadName;
        }

        /// <summary>
        /// Queues <paramref name="ask"/> through <paramref name="enqueue"/> and waits until the joiner answered it,
        /// <paramref name="blocked"/> (the asking thread, when it has an entry to mark) Blocked meanwhile. The
        /// thread's stop ends the wait (PowerShell's pipeline stop); a joiner that could not ask fails it.
        /// </summary>
        public static object? Ask(Func<PSHostUserInterface, object?> ask, Action<IJoinerWork> enqueue, WorkerThread? blocked, string threadName)
        {
            var prompt = new JoinerPrompt(ask, threadName);
            using (BlockingWait stop = BlockingWait.Begin(CancellationToken.None))
            {
                stop.ThrowIfCancellationRequested();
                // Queued before the thread shows Blocked: a joiner woken by Blocked finds the prompt in the queue.
                enqueue(prompt);
                bool entered = blocked?.EnterBlocked() ?? false;
                try
                {
                    WaitHandle[] handles = { prompt._answered.WaitHandle, stop.Token.WaitHandle };
                    if (WaitHandle.WaitAny(handles) != 0)
                    {
                        // Stopped: a prompt not shown yet is skipped by the joiner; one being shown is answered into nothing.
                        Interlocked.Exchange(ref prompt._state, Abandoned);
                        stop.ThrowIfCancellationRequested();
                    }
                }
                finally
                {
                    if (entered)
                    {
                        blocked!.ExitBlocked();
                    }
                }
            }

            if (prompt._failure != null)
            {
                ExceptionDispatchInfo.Capture(prompt._failure).Throw();
            }

            return prompt._answer;
        }

        /// <summary>Shows the prompt through the joiner's host UI. A prompt its thread gave up (stopped) is skipped.</summary>
        public void Run(PSCmdlet joiner)
        {
            if (Interlocked.CompareExchange(ref _state, Asking, Pending) != Pending)
            {
                return;
            }

            try
            {
                _answer = _ask(joiner.Host.UI);
                if (joiner.Stopping)
                {
                    // Ctrl+C at the console's Read-Host returns what was typed so far instead of throwing: not an answer.
                    throw new PipelineStoppedException();
                }
            }
            catch (Exception ex) when (ex is PipelineStoppedException || ex is OperationCanceledException)
            {
                // Ctrl+C at the joiner's prompt ends the join; the worker hears why instead of waiting on.
                _failure = NotAnswered(ex);
                _answered.Set();
                throw;
            }
            catch (Exception ex)
            {
                // The caller's host cannot ask (not interactive, say): the worker's prompt fails as it would there.
                _failure = ex;
            }

            _answered.Set();
        }

        private RuntimeException NotAnswered(Exception cause)
        {
            string message = $"The prompt of thread '{_threadName}' was not answered: the wait that showed it was stopped. " +
                "The prompt in the thread fails with this error; let Wait-WorkerThread run to answer a thread's prompts.";
            var error = new PSInvalidOperationException(message, cause);
            return new RuntimeException(message, error, new ErrorRecord(error, ErrorIds.PromptNotAnswered, ErrorCategory.OperationStopped, _threadName));
        }
    }
}

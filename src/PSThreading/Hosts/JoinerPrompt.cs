using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Terminal;
using PSThreading.Values;

namespace PSThreading.Hosts
{
    /// <summary>
    /// A prompt of a worker (Read-Host, a confirmation, PromptForChoice, Get-Credential) asked by whoever joins
    /// it: the worker queues (or offers) it with its output and waits, shown as Blocked; the join runs it on its
    /// pipeline thread through the caller's real host UI and hands the answer (or the failure) back. Read on the
    /// worker's own thread, the console was read by it and by PSReadLine at once and keystrokes were split.
    /// A join inside another worker passes the prompt on to its own joiner but leaves it offered, so a join that
    /// can show it (the console's) answers it first: taken for good, main waiting for the asker hung forever.
    /// A prompt nobody can answer fails with PromptNotAnswered: once pwsh exits, or at once under -NonInteractive.
    /// </summary>
    internal sealed class JoinerPrompt : IJoinerWork
    {
        private const int Pending = 0;
        private const int Asking = 1;
        private const int Abandoned = 2;

        // Prompts still waiting for an answer: pwsh's exit fails them, or the exit would wait for them forever.
        private static readonly ConcurrentDictionary<JoinerPrompt, WorkerThread?> s_unanswered = new ConcurrentDictionary<JoinerPrompt, WorkerThread?>();
        private static volatile bool s_exiting;

        // The prompt this thread's join is passing on: the one it asks in turn also ends when that one is answered.
        [ThreadStatic]
        private static JoinerPrompt? t_passingOn;

        private readonly Func<PSHostUserInterface, object?> _ask;
        private readonly string _threadName;
        private readonly JoinerPrompt? _passedOnFrom;
        private readonly ManualResetEventSlim _answered = new ManualResetEventSlim(false);
        private int _state;
        private object? _answer;
        private Exception? _failure;

        private JoinerPrompt(Func<PSHostUserInterface, object?> ask, string threadName, JoinerPrompt? passedOnFrom)
        {
            _ask = ask;
            _threadName = threadName;
            _passedOnFrom = passedOnFrom;
        }

        /// <summary>True while <paramref name="thread"/> waits for the answer to a prompt.</summary>
        public static bool IsPrompting(WorkerThread thread) => s_unanswered.Values.Contains(thread);

        /// <summary>
        /// Queues <paramref name="ask"/> through <paramref name="enqueue"/> and waits until the joiner answered it,
        /// <paramref name="blocked"/> (the asking thread, when it has an entry to mark) Blocked meanwhile. The
        /// thread's stop ends the wait (PowerShell's pipeline stop); a joiner that could not ask fails it.
        /// </summary>
        public static object? Ask(Func<PSHostUserInterface, object?> ask, Action<IJoinerWork> enqueue, WorkerThread? blocked, string threadName)
            => Ask(ask, prompt => enqueue(prompt), withdraw: null, blocked, threadName, whenBlocked: null);

        /// <summary>
        /// A Start-WorkerThread worker's prompt: offered to every join of <paramref name="thread"/> until one answers
        /// it. <paramref name="whenBlocked"/> runs once the thread shows Blocked (it says so when nobody joins).
        /// </summary>
        public static object? Offer(Func<PSHostUserInterface, object?> ask, WorkerThread thread, Action? whenBlocked)
        {
            if (SessionInteractivity.IsNonInteractive)
            {
                throw NotAnswered(thread.Name, $"PowerShell runs with -NonInteractive, so nobody can answer the prompt of thread '{thread.Name}'. " +
                    "Pass the answer to the thread instead (-ArgumentList, $using:), or run pwsh without -NonInteractive and answer it through Wait-WorkerThread.");
            }

            return Ask(ask, prompt => thread.Offer(prompt), prompt => thread.Withdraw(prompt), thread, thread.Name, whenBlocked);
        }

        /// <summary>pwsh is exiting: no join will come, so every prompt still unanswered fails, and so will any asked from now on.</summary>
        public static void FailUnanswered()
        {
            s_exiting = true;
            foreach (JoinerPrompt prompt in s_unanswered.Keys)
            {
                if (Interlocked.CompareExchange(ref prompt._state, Abandoned, Pending) == Pending)
                {
                    prompt._failure = ExitNotAnswered(prompt._threadName);
                    prompt._answered.Set();
                }
            }
        }

        private static object? Ask(
            Func<PSHostUserInterface, object?> ask, Action<JoinerPrompt> enqueue, Action<JoinerPrompt>? withdraw, WorkerThread? blocked, string threadName, Action? whenBlocked)
        {
            if (s_exiting)
            {
                throw ExitNotAnswered(threadName);
            }

            var prompt = new JoinerPrompt(ask, threadName, t_passingOn);
            s_unanswered[prompt] = blocked;
            using (BlockingWait stop = BlockingWait.Begin(CancellationToken.None))
            {
                bool entered = false;
                try
                {
                    stop.ThrowIfCancellationRequested();
                    // Queued before the thread shows Blocked: a joiner woken by Blocked finds the prompt in the queue.
                    enqueue(prompt);
                    entered = blocked?.EnterBlocked() ?? false;
                    if (s_exiting)
                    {
                        // The exit began between the first look and the registration: it may have missed this prompt.
                        FailUnanswered();
                    }

                    whenBlocked?.Invoke();
                    prompt.WaitForAnswer(stop);
                }
                finally
                {
                    withdraw?.Invoke(prompt);
                    s_unanswered.TryRemove(prompt, out _);
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

        private void WaitForAnswer(BlockingWait stop)
        {
            WaitHandle[] handles = _passedOnFrom == null
                ? new[] { _answered.WaitHandle, stop.Token.WaitHandle }
                : new[] { _answered.WaitHandle, stop.Token.WaitHandle, _passedOnFrom._answered.WaitHandle };
            while (true)
            {
                int signalled = WaitHandle.WaitAny(handles);
                if (signalled == 0)
                {
                    return;
                }

                if (signalled == 1)
                {
                    // Stopped: a prompt not shown yet is skipped by the joiner; one being shown is answered into nothing.
                    Interlocked.Exchange(ref _state, Abandoned);
                    stop.ThrowIfCancellationRequested();
                }

                // The prompt this one passes on was answered by another join: this one is no longer needed.
                if (Interlocked.CompareExchange(ref _state, Abandoned, Pending) == Pending)
                {
                    _answer = _passedOnFrom!._answer;
                    _failure = _passedOnFrom._failure;
                    return;
                }

                // Being shown right now: its answer comes.
                handles = new[] { _answered.WaitHandle, stop.Token.WaitHandle };
            }
        }

        /// <summary>
        /// An offered prompt met by a join: shown when this join can (<paramref name="mayShow"/>: not a timed join),
        /// passed on when the join runs in another worker (its own joiner shows it). False when left for another join.
        /// </summary>
        public bool Answer(PSCmdlet joiner, bool mayShow)
        {
            if (Volatile.Read(ref _state) != Pending)
            {
                return true;
            }

            // A join in a worker asks through that worker's host (wrapped by the engine, so told by the thread).
            ThreadKind joinerKind = ThreadRegistry.Current.Kind;
            if (joinerKind == ThreadKind.Worker || joinerKind == ThreadKind.PoolWorker)
            {
                PassOn(joiner);
                return true;
            }

            if (!mayShow)
            {
                return false;
            }

            Run(joiner);
            return true;
        }

        /// <summary>Asks the prompt again through a worker joiner's own host; it stays offered to the other joins meanwhile.</summary>
        private void PassOn(PSCmdlet joiner)
        {
            JoinerPrompt? outer = t_passingOn;
            t_passingOn = this;
            object? answer = null;
            Exception? failure = null;
            try
            {
                answer = _ask(joiner.Host.UI);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException || ex is OperationCanceledException))
            {
                failure = ex;
            }
            finally
            {
                t_passingOn = outer;
            }

            if (Interlocked.CompareExchange(ref _state, Asking, Pending) == Pending)
            {
                _answer = answer;
                _failure = failure;
                _answered.Set();
            }
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
                // Read so that a stop of the thread (state Abandoned) or of the join ends the prompt being shown.
                _answer = _ask(WithdrawablePromptUserInterface.For(joiner.Host, () => Volatile.Read(ref _state) == Abandoned || joiner.Stopping));
                if (joiner.Stopping)
                {
                    // Ctrl+C at the console's Read-Host returns what was typed so far instead of throwing: not an answer.
                    throw new PipelineStoppedException();
                }
            }
            catch (PromptWithdrawnException) when (!joiner.Stopping)
            {
                // The thread was stopped while its prompt was shown: nobody waits for the answer; the join goes on.
                return;
            }
            catch (Exception ex) when (ex is PipelineStoppedException || ex is OperationCanceledException || ex is PromptWithdrawnException)
            {
                // Ctrl+C at the joiner's prompt ends the join; the worker hears why instead of waiting on.
                _failure = NotAnswered(_threadName, $"The prompt of thread '{_threadName}' was not answered: the wait that showed it was stopped. " +
                    "The prompt in the thread fails with this error; let Wait-WorkerThread run to answer a thread's prompts.", ex);
                _answered.Set();
                if (ex is PromptWithdrawnException)
                {
                    throw new PipelineStoppedException();
                }

                throw;
            }
            catch (Exception ex)
            {
                // The caller's host cannot ask (not interactive, say): the worker's prompt fails as it would there.
                _failure = ex;
            }

            _answered.Set();
        }

        private static RuntimeException ExitNotAnswered(string threadName) =>
            NotAnswered(threadName, $"The prompt of thread '{threadName}' was not answered: PowerShell is exiting and no Wait-WorkerThread asked it. " +
                "Join a thread that prompts (Wait-WorkerThread) before the script ends, or pass it the answer (-ArgumentList, $using:).");

        private static RuntimeException NotAnswered(string threadName, string message, Exception? cause = null)
        {
            var error = new PSInvalidOperationException(message, cause);
            return new RuntimeException(message, error, new ErrorRecord(error, ErrorIds.PromptNotAnswered, ErrorCategory.OperationStopped, threadName));
        }
    }
}

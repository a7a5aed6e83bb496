using System;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading;

namespace PSThreading.Processes
{
    /// <summary>How an invocation in a <see cref="RemoteRunspace"/> ended.</summary>
    internal enum RemoteOutcome
    {
        Completed,
        Failed,
        Stopped,
        // The place ended under the invocation (its process exited): the place is dropped.
        Lost,
        // The stop did not end it in time: the place was killed.
        Killed,
    }

    /// <summary>One invocation in a place outside this process: started, waited for, stopped, and killed with its place when a stop does not end it.</summary>
    internal static class RemoteInvocation
    {
        /// <summary>How long a stopped invocation may take to end before its process is killed: a .NET call hears no stop.</summary>
        internal static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(2);

        /// <summary>
        /// Runs <paramref name="ps"/> (its streams forwarded already) to its end. A stop asked meanwhile (<paramref name="shouldStop"/>,
        /// or <paramref name="deadline"/> passed; <paramref name="wake"/> is set when a stop is asked) stops its pipeline; if it still runs <see cref="KillAfter"/> later (a .NET
        /// call) the place is killed. The PowerShell object is disposed here, or, over a dead place, on a thread of its own.
        /// </summary>
        public static (RemoteOutcome, ErrorRecord?) Run(PowerShell ps, RemoteRunspace place, PSDataCollection<PSObject>? output, Func<bool> shouldStop, Func<DateTime?>? deadline, WaitHandle wake, PSHost? promptHost = null)
        {
            output ??= new PSDataCollection<PSObject>();
            bool disposeLater = false;
            try
            {
                if (shouldStop())
                {
                    return (RemoteOutcome.Stopped, null);
                }

                // With a prompt host, the child's prompts are asked through it (its Read-Host answered by a join).
                IAsyncResult running = promptHost == null
                    ? ps.BeginInvoke<PSObject, PSObject>(null, output)
                    : ps.BeginInvoke<PSObject, PSObject>(null, output, new PSInvocationSettings { Host = promptHost }, null, null);
                WaitHandle[] handles = { running.AsyncWaitHandle, place.Lost, wake };
                DateTime? killAt = null;
                while (true)
                {
                    DateTime? stopAt = deadline?.Invoke();
                    DateTime now = DateTime.UtcNow;
                    DateTime? next = killAt ?? stopAt;
                    int timeout = next.HasValue ? (int)Math.Max(0, Math.Min(int.MaxValue, (next.Value - now).TotalMilliseconds)) : Timeout.Infinite;
                    int signalled = WaitHandle.WaitAny(handles, timeout);
                    if (signalled == 0)
                    {
                        return Ended(ps, running, killAt.HasValue || shouldStop());
                    }

                    if (signalled == 1)
                    {
                        disposeLater = true;
                        return (RemoteOutcome.Lost, null);
                    }

                    if (killAt.HasValue && DateTime.UtcNow >= killAt.Value)
                    {
                        disposeLater = true;
                        place.Abandon();
                        return (RemoteOutcome.Killed, null);
                    }

                    if (!killAt.HasValue && (shouldStop() || (stopAt.HasValue && DateTime.UtcNow >= stopAt.Value)))
                    {
                        killAt = DateTime.UtcNow + KillAfter;
                        try
                        {
                            ps.BeginStop(null, null);
                        }
                        catch (Exception ex) when (ex is InvalidOperationException || ex is RuntimeException)
                        {
                            // Ended meanwhile: the next wait sees it.
                        }
                    }
                }
            }
            finally
            {
                if (disposeLater)
                {
                    // Over a dead transport Dispose can block for a minute: nothing here waits for it.
                    ThreadPool.QueueUserWorkItem(_ => DisposeQuietly(ps));
                }
                else
                {
                    DisposeQuietly(ps);
                }
            }
        }

        private static (RemoteOutcome, ErrorRecord?) Ended(PowerShell ps, IAsyncResult running, bool stopping)
        {
            try
            {
                ps.EndInvoke(running);
                return ps.InvocationStateInfo.State == PSInvocationState.Stopped ? (RemoteOutcome.Stopped, null) : (RemoteOutcome.Completed, null);
            }
            catch (RuntimeException ex) when (!stopping && !(ex is PipelineStoppedException))
            {
                return (RemoteOutcome.Failed, ex.ErrorRecord);
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                return (RemoteOutcome.Stopped, null);
            }
        }

        private static void DisposeQuietly(PowerShell ps)
        {
            try
            {
                ps.Dispose();
            }
            catch (Exception)
            {
                // A pipeline over a closed transport may fail to dispose: nothing left to free.
            }
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSThreading.Processes;

namespace PSThreading.Remote
{
    /// <summary>How a script sent to a node ended.</summary>
    internal enum RemoteOutcome
    {
        /// <summary>It ran to its end (items may have failed: each says so).</summary>
        Finished,

        /// <summary>Stopped on request (a timeout, Stop, Ctrl+C): the session stays open for the next call.</summary>
        Stopped,

        /// <summary>The session broke under it (the network dropped, the remote pwsh died).</summary>
        Lost,

        /// <summary>The script itself failed before or between items; <see cref="RemoteBatchRunner.Failure"/> says why.</summary>
        Failed,
    }

    /// <summary>Where a batch's output and records go, each with the position in the batch of the item that wrote it.</summary>
    internal interface IRemoteBatchSink
    {
        void Output(int position, PSObject value);

        void Record(int position, object record);

        /// <summary>The item ended: <paramref name="error"/> is what it threw, null when it ran to its end.</summary>
        void ItemEnded(int position, ErrorRecord? error);
    }

    /// <summary>
    /// Runs scripts on one remote runspace (a PSSession): a batch of items in one round trip, with each output
    /// and record told apart by the item that wrote it, or a set-up script (-Begin, -End, imports). One at a time:
    /// a session is one runspace. Stop ends the remote pipeline and leaves the session open.
    /// </summary>
    internal sealed class RemoteBatchRunner
    {
        // How long a failed invocation waits for the session to show Broken: the transport fails the command first.
        private static readonly TimeSpan s_brokenWait = TimeSpan.FromSeconds(1);

        private readonly object _sync = new object();
        private PowerShell? _running;
        private bool _stopRequested;

        public RemoteBatchRunner(RemoteNode node)
        {
            Node = node;
        }

        public RemoteNode Node { get; }

        /// <summary>Why the last script failed or the session was lost.</summary>
        public Exception? Failure { get; private set; }

        /// <summary>Runs a batch: <paramref name="items"/> in order, each ending with a marker the sink hears as ItemEnded.</summary>
        public RemoteOutcome RunBatch(IList<object?> items, IList<int> attempts, RemoteBatchScript script, IRemoteBatchSink sink)
        {
            string tag = Guid.NewGuid().ToString("n");
            object?[] inputs = ToArray(items);
            bool blocks = script.CarriesBlocks;
            for (int i = 0; i < inputs.Length; i++)
            {
                object? input = CrossProcessValues.ForNode(inputs[i]);
                blocks |= !ReferenceEquals(input, inputs[i]);
                inputs[i] = input;
            }

            var parameters = new Dictionary<string, object?>
            {
                ["Items"] = inputs,
                ["Arguments"] = script.Arguments,
                ["BlockText"] = script.BlockText,
                ["Piping"] = script.Piping,
                ["Tag"] = tag,
                ["Preferences"] = script.Preferences,
                ["Attempts"] = new List<int>(attempts).ToArray(),
                ["Revive"] = blocks,
                // The same table as the engine's $using: one: the script revives it in place (see RemoteScripts.Batch).
                ["UsingTable"] = script.UsingValues,
            };
            var router = new RemoteBatchRouter(sink, tag, Node);
            RemoteOutcome outcome = Invoke(RemoteScripts.Batch, useLocalScope: true, parameters, script.UsingValues, router.Output, router.Record);
            router.Flush();
            return outcome;
        }

        /// <summary>
        /// Runs a set-up script; its output and records go to the delegates given. With <paramref name="revivesUsing"/>,
        /// <see cref="RemoteScripts.SetupUsingPrelude"/> first makes the script blocks among its $using: values blocks again.
        /// </summary>
        public RemoteOutcome RunScript(string text, bool useLocalScope, IDictionary<string, object?>? parameters, Hashtable? usingValues, Action<PSObject> output, Action<object> record, bool revivesUsing = false) =>
            Invoke(text, useLocalScope, parameters, usingValues, output, record, revivesUsing);

        /// <summary>
        /// Stops what runs now (and what would start until <see cref="ClearStop"/>) without waiting: the runner's
        /// own thread sees its script end. Safe from any thread.
        /// </summary>
        public void Stop()
        {
            PowerShell? running;
            lock (_sync)
            {
                _stopRequested = true;
                running = _running;
            }

            if (running != null)
            {
                try
                {
                    running.BeginStop(null, null);
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is InvalidOperationException || ex is PSInvalidOperationException)
                {
                    // It ended meanwhile.
                }
            }
        }

        /// <summary>A stop for one batch (an item timeout) is over: the next script runs.</summary>
        public void ClearStop()
        {
            lock (_sync)
            {
                _stopRequested = false;
            }
        }

        private RemoteOutcome Invoke(string text, bool useLocalScope, IDictionary<string, object?>? parameters, Hashtable? usingValues, Action<PSObject> output, Action<object> record, bool revivesUsing = false)
        {
            Failure = null;
            if (!Node.IsOpen)
            {
                Failure = new InvalidOperationException($"The session to {Node.ComputerName} is {Node.Runspace.RunspaceStateInfo.State}.");
                return RemoteOutcome.Lost;
            }

            using (PowerShell ps = PowerShell.Create())
            {
                ps.Runspace = Node.Runspace;
                if (revivesUsing && usingValues != null)
                {
                    // One message carries both statements, so the node sees one table in both: revived in place.
                    ps.AddScript(RemoteScripts.SetupUsingPrelude, useLocalScope: true).AddParameter("UsingTable", usingValues).AddStatement();
                }

                ps.AddScript(text, useLocalScope);
                if (parameters != null)
                {
                    foreach (KeyValuePair<string, object?> parameter in parameters)
                    {
                        ps.AddParameter(parameter.Key, parameter.Value);
                    }
                }

                if (usingValues != null && usingValues.Count > 0)
                {
                    ps.AddParameter(Values.WorkerScript.UsingValuesParameter, usingValues);
                }

                var results = new PSDataCollection<PSObject>();
                results.DataAdded += (sender, e) => Drain(results, output);
                Route(ps.Streams.Error, r => record(r));
                Route(ps.Streams.Warning, r => record(r));
                Route(ps.Streams.Verbose, r => record(r));
                Route(ps.Streams.Debug, r => record(r));
                Route(ps.Streams.Information, r => record(r));
                lock (_sync)
                {
                    if (_stopRequested)
                    {
                        return RemoteOutcome.Stopped;
                    }

                    _running = ps;
                }

                try
                {
                    ps.Invoke<PSObject, PSObject>(null, results, new PSInvocationSettings { Host = Hosts.PoolWorkerHost.Instance });
                    return RemoteOutcome.Finished;
                }
                catch (Exception ex)
                {
                    Failure = ex;
                    if (IsLost(ex))
                    {
                        return RemoteOutcome.Lost;
                    }

                    return IsStopRequested() || ex is PipelineStoppedException ? RemoteOutcome.Stopped : RemoteOutcome.Failed;
                }
                finally
                {
                    lock (_sync)
                    {
                        _running = null;
                    }
                }
            }
        }

        private bool IsStopRequested()
        {
            lock (_sync)
            {
                return _stopRequested;
            }
        }

        /// <summary>The session broke: at once, or within a moment of a transport error.</summary>
        private bool IsLost(Exception ex)
        {
            if (!Node.IsOpen)
            {
                return true;
            }

            if (!(ex is PSRemotingTransportException || ex is PSRemotingDataStructureException || ex.InnerException is PSRemotingTransportException))
            {
                return false;
            }

            DateTime deadline = DateTime.UtcNow + s_brokenWait;
            while (Node.IsOpen && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            return true;
        }

        private static void Route<T>(PSDataCollection<T> stream, Action<object> record)
        {
            stream.DataAdded += (sender, e) =>
            {
                foreach (T value in stream.ReadAll())
                {
                    if (value != null)
                    {
                        record(value);
                    }
                }
            };
        }

        private static void Drain(PSDataCollection<PSObject> results, Action<PSObject> output)
        {
            foreach (PSObject value in results.ReadAll())
            {
                output(value);
            }
        }

        private static object?[] ToArray(IList<object?> items)
        {
            var array = new object?[items.Count];
            items.CopyTo(array, 0);
            return array;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Lifecycle;
using PSThreading.Runspaces;
using PSThreading.Values;
using PSThreading.Workers;

namespace PSThreading.Pool
{
    /// <summary>
    /// Invoke-ThreadPool -AsJob: an ordinary worker thread whose script runs the same Invoke-ThreadPool call
    /// (without -AsJob) in its own runspace, so that Wait-WorkerThread, Stop-WorkerThread and Get-ActiveThread
    /// treat it as any worker. The item block travels as text; its <c>$using:</c> values, evaluated in the
    /// caller, wait here for the call inside the job, which takes them instead of evaluating them again in a
    /// runspace that does not have the caller's variables.
    /// </summary>
    internal static class PoolJob
    {
        // The script the job's worker runs. Parameters: input items, -ArgumentList, the block's text, and the
        // other parameters as names and values (parallel arrays: values cross threads as arguments do).
        private const string JobScript = @"param($Items, $Arguments, $BlockText, $Names, $Values)
$parameters = @{}
for ($i = 0; $i -lt $Names.Count; $i++) { $parameters[$Names[$i]] = $Values[$i] }
if ($null -ne $Arguments) { $parameters['ArgumentList'] = $Arguments }
Invoke-ThreadPool -ScriptBlock ([scriptblock]::Create($BlockText)) -InputObject $Items @parameters";

        // Keyed by the job's body: set before its thread starts, so the call inside finds it from its first line.
        private static readonly ConditionalWeakTable<IThreadBody, Carried> s_carried = new ConditionalWeakTable<IThreadBody, Carried>();

        // Parameters of the caller's call that do not cross: the ones the script passes itself, and common
        // parameters that name the caller's variables or buffer its output.
        private static readonly HashSet<string> s_notCarried = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "ScriptBlock", "InputObject", "ArgumentList", "AsJob", "NoProgress", "Begin", "End", "Function",
            "ErrorVariable", "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
        };

        /// <summary>
        /// Starts the job on the caller's pipeline thread. <paramref name="items"/> is all of the call's input,
        /// collected first; <paramref name="arguments"/> is -ArgumentList as given; <paramref name="holder"/> holds
        /// the results for the PowerShell job that wraps the thread.
        /// </summary>
        public static WorkerThread Start(PSCmdlet caller, WorkerScript script, PoolSetup setup, IList<object?> items, object[]? arguments, IResultHolder holder)
        {
            var names = new List<string>();
            var values = new List<object?>();
            foreach (KeyValuePair<string, object> bound in caller.MyInvocation.BoundParameters)
            {
                if (!s_notCarried.Contains(bound.Key))
                {
                    names.Add(bound.Key);
                    values.Add(bound.Value);
                }
            }

            // A progress bar drawn from a background thread would land over the prompt.
            names.Add("NoProgress");
            values.Add(new SwitchParameter(true));

            object?[] jobArguments =
            {
                WorkerValues.ForWorker(ToArray(items), "The input", caller),
                arguments == null ? null : WorkerValues.ForWorker((object)arguments, "The -ArgumentList", caller),
                script.Text,
                names.ToArray(),
                WorkerValues.ForWorker(values.ToArray(), "A parameter value", caller),
            };
            // Held for the join: a job runs in the background, its items' Write-Host lines come back with its output.
            var body = new ScriptThreadBody(WorkerScript.FromText(JobScript), jobArguments!, CallerContext.Capture(caller), hostOutput: null, holder: holder);
            s_carried.Add(body, new Carried(script, setup));
            ExitJoin.EnsureRegistered(caller);
            return ThreadRegistry.StartWorker(ThreadRegistry.NextPoolJobName(), isDaemon: false, body, PipelineStack.Size);
        }

        /// <summary>
        /// In Invoke-ThreadPool on a job's own thread: the caller's prepared <paramref name="block"/> and set-up
        /// (-Begin, -End, -Function, -Module), once; null for any other call, which prepares its own.
        /// </summary>
        public static Carried? TakeCarried(ScriptBlock block)
        {
            IThreadBody? body = ThreadRegistry.Current.Body;
            if (body == null || !s_carried.TryGetValue(body, out Carried? carried) || carried.Script.Text != block.ToString())
            {
                return null;
            }

            s_carried.Remove(body);
            return carried;
        }

        /// <summary>What the caller prepared: read in its runspace, where its variables and functions are.</summary>
        internal sealed class Carried
        {
            public Carried(WorkerScript script, PoolSetup setup)
            {
                Script = script;
                Setup = setup;
            }

            public WorkerScript Script { get; }

            public PoolSetup Setup { get; }
        }

        private static object?[] ToArray(IList<object?> items)
        {
            var array = new object?[items.Count];
            items.CopyTo(array, 0);
            return array;
        }
    }
}

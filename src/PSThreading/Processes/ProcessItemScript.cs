using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Processes
{
    /// <summary>
    /// The scripts a worker process runs for a pool call. Nothing of this process can be called from there (no
    /// delegates cross), so each item is one invocation of <see cref="Item"/>: it puts the location back, sets
    /// <c>$_</c> and calls the block in a local scope (compiled variable slots, as the in-process loop does).
    /// The <c>$using:</c> values are bound to this invocation and reach the block it calls.
    /// </summary>
    internal static class ProcessItemScript
    {
        /// <summary>Runs once per call in a child, dot-sourced into its global scope: preferences, -Function, -Module.</summary>
        internal const string Prepare = @"
param([hashtable] $Preferences, [string] $Definitions, [string[]] $Modules)
foreach ($private:name in @($Preferences.Keys)) { Set-Variable -Scope Global -Name $name -Value $Preferences[$name] -ErrorAction Ignore }
if ($Definitions) { . ([scriptblock]::Create($Definitions)) }
if ($Modules) { Import-Module -Name $Modules -Global -ErrorAction Stop }
Remove-Variable -Name Preferences, Definitions, Modules -ErrorAction Ignore
";

        // A machine lock or a script block crosses as a table (see CrossProcessValues.ForChild): made again here. The
        // $using: values come twice in one message, as $__PSTUsing and as the engine's own table: remoting keeps them
        // one object, so reviving $__PSTUsing in place is what the block's $using: reads see.
        // The do/while keeps a stray break or continue in the block from leaking out.
        internal const string Item = @"
param($__PSTItem, [string] $__PSTBlock, [object[]] $__PSTArguments, [string] $__PSTLocation, [bool] $__PSTPipe, [bool] $__PSTLocks, [int] $__PSTAttempt, $__PSTUsing)
# -MaxRetries: the block sees which attempt it is, as in a thread.
if ($__PSTAttempt -gt 0) { $PSThreadingAttempt = $__PSTAttempt }
if ($__PSTLocation -and $PWD.ProviderPath -ne $__PSTLocation) { Set-Location -LiteralPath $__PSTLocation -ErrorAction Ignore }
if ($null -eq $__PSTArguments) { $__PSTArguments = @() }
if ($__PSTLocks) {
" + CrossProcessValues.ReviveScript + @"
    $__PSTItem = & $__PSTRevive $__PSTItem
    $__PSTArguments = @(foreach ($__PSTValue in $__PSTArguments) { , (& $__PSTRevive $__PSTValue) })
    if ($__PSTUsing -is [hashtable]) { foreach ($__PSTKey in @($__PSTUsing.Keys)) { $__PSTUsing[$__PSTKey] = & $__PSTRevive $__PSTUsing[$__PSTKey] } }
}
$_ = $__PSTItem
try {
    do {
        if ($__PSTPipe) { , $_ | & ([scriptblock]::Create($__PSTBlock)) @__PSTArguments }
        else { & ([scriptblock]::Create($__PSTBlock)) @__PSTArguments }
    } while ($false)
}
catch {
    # A server's Retry-After does not cross as the response it came in: copied into the error (see RetryAfterMark).
" + PSThreading.Pool.RetryAfterMark.Script + @"
    throw $_
}
";

        /// <summary>The set-up invocation: <see cref="Prepare"/> with the preferences, functions and modules given.</summary>
        internal static PowerShell PrepareInvocation(RemoteRunspace place, IEnumerable<KeyValuePair<string, object?>> preferences, WorkerImports? imports)
        {
            var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, object?> preference in preferences)
            {
                table[preference.Key] = preference.Value;
            }

            PowerShell ps = PowerShell.Create();
            ps.Runspace = place.Runspace;
            ps.AddScript(Prepare, useLocalScope: false)
                .AddArgument(table)
                .AddArgument(imports?.Definitions ?? string.Empty)
                .AddArgument(imports == null || imports.ModulePaths.Count == 0 ? null : imports.ModulePaths.ToArray());
            return ps;
        }

        /// <summary>
        /// An invocation of a block's own text with its arguments and $using: values: dot-sourced into the global
        /// scope for -Begin and -End (what -Begin sets, every item sees), in a local scope for a thread's block.
        /// </summary>
        internal static PowerShell BlockInvocation(RemoteRunspace place, WorkerScript script, object[] arguments, bool useLocalScope)
        {
            PowerShell ps = PowerShell.Create();
            ps.Runspace = place.Runspace;
            Hashtable? usingValues = CrossProcessValues.ForChild(script.UsingValues);
            if (CrossProcessValues.NeedsReviving(arguments, usingValues))
            {
                // A machine lock or a script block among the values: made again in the child before the block runs.
                ps.AddScript(useLocalScope ? RevivingBlock : RevivingSetup, useLocalScope)
                    .AddParameter(BlockParameter, script.Text)
                    .AddParameter(ArgumentsParameter, arguments)
                    .AddParameter(UsingParameter, usingValues);
            }
            else
            {
                ps.AddScript(script.Text, useLocalScope);
                foreach (object argument in arguments)
                {
                    ps.AddArgument(argument);
                }
            }

            if (usingValues != null)
            {
                ps.AddParameter(WorkerScript.UsingValuesParameter, usingValues);
            }

            return ps;
        }

        // The values made again as in Item, then the block: called in a local scope for a thread, dot-sourced into the
        // global scope for -Begin and -End (what they set, every item sees), where this script's own variables are
        // removed again.
        private const string ReviveValues = @"
param([string] $__PSTBlock, [object[]] $__PSTArguments, $__PSTUsing)
if ($null -eq $__PSTArguments) { $__PSTArguments = @() }
" + CrossProcessValues.ReviveScript + @"
$__PSTArguments = @(foreach ($__PSTValue in $__PSTArguments) { , (& $__PSTRevive $__PSTValue) })
if ($__PSTUsing -is [hashtable]) { foreach ($__PSTKey in @($__PSTUsing.Keys)) { $__PSTUsing[$__PSTKey] = & $__PSTRevive $__PSTUsing[$__PSTKey] } }
";

        private const string RevivingBlock = ReviveValues + @"
& ([scriptblock]::Create($__PSTBlock)) @__PSTArguments
";

        private const string RevivingSetup = ReviveValues + @"
try { . ([scriptblock]::Create($__PSTBlock)) @__PSTArguments }
finally { Remove-Variable -Name __PSTBlock, __PSTArguments, __PSTUsing, __PSTRevive, __PSTValue, __PSTKey -ErrorAction Ignore }
";

        internal const string ItemParameter = "__PSTItem";
        internal const string BlockParameter = "__PSTBlock";
        internal const string ArgumentsParameter = "__PSTArguments";
        internal const string LocationParameter = "__PSTLocation";
        internal const string PipeParameter = "__PSTPipe";
        internal const string LocksParameter = "__PSTLocks";
        internal const string AttemptParameter = "__PSTAttempt";
        internal const string UsingParameter = "__PSTUsing";
    }
}

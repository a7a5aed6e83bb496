namespace PSThreading.Remote
{
    /// <summary>
    /// The scripts sent to a remote session. They use nothing but PowerShell: the node need not have this
    /// module. Items run in a local scope of their own (compiled variable slots; nothing left for the next item),
    /// below the session's global scope, where -Function, -Module and -Begin put what the items see.
    /// </summary>
    internal static class RemoteScripts
    {
        /// <summary>The property of the object that ends each item's output: what tells one item's output from the next's.</summary>
        internal const string ItemEndProperty = "PSThreadingRemoteItemEnd";

        /// <summary>
        /// Makes a value that crossed as a marked table (CrossProcessValues.ForNode) a script block again, at the top
        /// level and one array level. Held in <c>$__rRevive</c>, which it calls for the array's elements.
        /// </summary>
        private const string ReviveBlock = @"{
        param($v)
        if ($v -is [hashtable] -and $v.ContainsKey('" + PSThreading.Processes.CrossProcessValues.ScriptBlockKey + @"')) { return [scriptblock]::Create($v['" + PSThreading.Processes.CrossProcessValues.ScriptBlockKey + @"']) }
        if ($v -is [System.Collections.IList] -and @($v | Where-Object { $_ -is [hashtable] -and $_.ContainsKey('" + PSThreading.Processes.CrossProcessValues.ScriptBlockKey + @"') }).Count) { return , [object[]] @(foreach ($e in $v) { & $__rRevive $e }) }
        , $v
    }";

        /// <summary>
        /// Runs just before a -Begin or -End block that has script blocks among its <c>$using:</c> values, in the same
        /// message: <c>$UsingTable</c> is then the same object as that block's <c>--%</c> table, revived in place.
        /// </summary>
        internal const string SetupUsingPrelude = @"
param($UsingTable)
$private:__rRevive = " + ReviveBlock + @"
if ($UsingTable -is [hashtable]) { foreach ($private:__rKey in @($UsingTable.Keys)) { $UsingTable[$__rKey] = & $__rRevive $UsingTable[$__rKey] } }
";

        /// <summary>
        /// Runs a batch of items. The parameters are kept in private variables, which the item's block (a child
        /// scope) cannot see, and removed. After each item one marker object names its position in the batch and
        /// whether it threw; its error was written just before, with its id, to the error stream.
        /// <c>$using:</c> values arrive as the engine's <c>--%</c> parameter and are found from the child scope.
        /// </summary>
        internal const string Batch = @"
param([object[]] $Items, [object[]] $Arguments, [string] $BlockText, [bool] $Piping, [string] $Tag, [hashtable] $Preferences, [int[]] $Attempts, [bool] $Revive, $UsingTable)
$private:__rItems = $Items
$private:__rAttempts = $Attempts
[object[]] $private:__rArguments = if ($null -eq $Arguments) { @() } else { $Arguments }
if ($Revive) {
    # Script blocks cross as tables holding their text: made blocks again here. $UsingTable is the engine's own
    # $using: table (one object in one message), so it is revived in place.
    $private:__rRevive = " + ReviveBlock + @"
    $__rItems = @(foreach ($private:__rValue in $__rItems) { , (& $__rRevive $__rValue) })
    $__rArguments = @(foreach ($private:__rValue in $__rArguments) { , (& $__rRevive $__rValue) })
    if ($UsingTable -is [hashtable]) { foreach ($private:__rKey in @($UsingTable.Keys)) { $UsingTable[$__rKey] = & $__rRevive $UsingTable[$__rKey] } }
}
$private:__rBlock = [scriptblock]::Create($BlockText)
$private:__rPiping = $Piping
$private:__rTag = $Tag
if ($null -ne $Preferences) { foreach ($private:__rName in $Preferences.Keys) { Set-Variable -Name $__rName -Value $Preferences[$__rName] } }
$PSBoundParameters.Clear()
Remove-Variable -Name Items, Arguments, BlockText, Piping, Tag, Preferences, Attempts, Revive, UsingTable -ErrorAction Ignore
for ($private:__rIndex = 0; $__rIndex -lt $__rItems.Count; $__rIndex++) {
    $_ = $__rItems[$__rIndex]
    # -MaxRetries: the block sees which attempt it is, as in a thread.
    if ($null -ne $__rAttempts) { $PSThreadingAttempt = $__rAttempts[$__rIndex] }
    $private:__rFailed = $false
    try {
        do {
            if ($__rPiping) { , $_ | & $__rBlock @__rArguments } else { & $__rBlock @__rArguments }
        } while ($false)
    }
    catch {
        $__rFailed = $true
" + PSThreading.Pool.RetryAfterMark.Script + @"
        Write-Error -ErrorRecord $_ -ErrorAction Continue
    }
    [pscustomobject]@{ PSThreadingRemoteItemEnd = $__rTag; Position = $__rIndex; Failed = $__rFailed }
}
";

        /// <summary>Imports -Module by name on the node; a module the node lacks is named in the one object written.</summary>
        internal const string ImportModules = @"
param([string[]] $Names)
foreach ($name in $Names) {
    try { Import-Module -Name $name -Global -ErrorAction Stop }
    catch { [pscustomobject]@{ Module = $name; Reason = $_.Exception.Message }; return }
}
";
    }
}

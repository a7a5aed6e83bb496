#Requires -Version 7.2
<#
.SYNOPSIS
    Times a per-worker resource: Invoke-ThreadPool -Begin against building it in every item, and against
    ForEach-Object -Parallel building it in every item, in one process and one run; prints medians and ratios.
.DESCRIPTION
    Each item looks a value up in a 200-entry table whose building takes about 50 ms (a script that fills
    the table and waits, as loading it from a file or a database would). With -Begin each worker builds it
    once; without, each item pays for it. All three run at the default throttle, min(32, processors + 4).
#>
[CmdletBinding()]
param(
    [int] $Runs = 3,
    [int] $Items = 60
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module PSThreading
$throttle = [Math]::Min(32, [Environment]::ProcessorCount + 4)

# The resource: 200 entries, about 50 ms to build.
$build = 'Start-Sleep -Milliseconds 45; $table = @{}; foreach ($n in 1..200) { $table[$n] = "entry $n" }'
$lookup = '$table[($_ % 200) + 1]'
$actions = [ordered]@{
    'Invoke-ThreadPool -Begin'    = [scriptblock]::Create("`$input | Invoke-ThreadPool -ThrottleLimit $throttle -Begin { $build } { $lookup }")
    'Invoke-ThreadPool, per item' = [scriptblock]::Create("`$input | Invoke-ThreadPool -ThrottleLimit $throttle { $build; $lookup }")
    'ForEach -Parallel, per item' = [scriptblock]::Create("`$input | ForEach-Object -Parallel { $build; $lookup } -ThrottleLimit $throttle")
}

Write-Host "Per-worker set-up benchmark: pwsh $($PSVersionTable.PSVersion), $([Environment]::ProcessorCount) processors, throttle $throttle, $Items items"
# Warm-up: the pool's runspaces and ForEach-Object -Parallel's runspace pool.
$null = 1..$throttle | Invoke-ThreadPool { Start-Sleep -Milliseconds 20 } -ThrottleLimit $throttle
$null = 1..$throttle | ForEach-Object -Parallel { Start-Sleep -Milliseconds 20 } -ThrottleLimit $throttle

$times = @{}
foreach ($name in $actions.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
for ($run = 0; $run -lt $Runs; $run++) {
    foreach ($name in $actions.Keys) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = @(1..$Items | & $actions[$name])
        $times[$name].Add($clock.Elapsed.TotalMilliseconds)
        if ($out.Count -ne $Items) { throw "$name wrote $($out.Count) results for $Items items." }
    }
}

$medians = @{}
foreach ($name in $actions.Keys) {
    $sorted = @($times[$name] | Sort-Object)
    $medians[$name] = $sorted[[int][math]::Floor($sorted.Count / 2)]
}
$begin = $medians['Invoke-ThreadPool -Begin']
$actions.Keys | ForEach-Object {
    [pscustomobject]@{ Variant = $_; 'Median ms' = '{0:n1}' -f $medians[$_]; 'x -Begin' = '{0:n2}' -f ($medians[$_] / $begin) }
} | Format-Table -AutoSize | Out-String | Write-Host
$met = $medians['Invoke-ThreadPool, per item'] / $begin -ge 2
Write-Host ("Goal: per item / -Begin >= 2: {0}" -f $(if ($met) { 'yes' } else { 'NO' }))

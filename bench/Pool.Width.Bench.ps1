#Requires -Version 7.2
<#
.SYNOPSIS
    Issue 26's sleep row: 100 items of Start-Sleep -Milliseconds 50 at -ThrottleLimit 20 (ideal 250 ms) when the
    pool's width grows from one call to the next: the session has run a call at -ThrottleLimit 4 just before, so 4
    runspaces are warm and 16 must be opened during the timed call. Each run is a new pwsh (a run in the same
    process would find 20 warm runspaces left by the run before); prints each run, the median, and its ratio to
    the ideal. Then the same call once all 20 are warm, in the same child.
#>
[CmdletBinding()]
param(
    [int] $Runs = 5
)

$ErrorActionPreference = 'Stop'
$pwsh = Join-Path $PSHOME 'pwsh'
$child = @'
$ProgressPreference = 'SilentlyContinue'
Import-Module PSThreading
$null = 1..8 | Invoke-ThreadPool { Start-Sleep -Milliseconds 20 } -ThrottleLimit 4
Start-Sleep -Milliseconds 500
$clock = [Diagnostics.Stopwatch]::StartNew()
$null = 1..100 | Invoke-ThreadPool { Start-Sleep -Milliseconds 50 } -ThrottleLimit 20
$grown = $clock.Elapsed.TotalMilliseconds
Start-Sleep -Milliseconds 500
$clock.Restart()
$null = 1..100 | Invoke-ThreadPool { Start-Sleep -Milliseconds 50 } -ThrottleLimit 20
"$grown;$($clock.Elapsed.TotalMilliseconds)"
'@

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $sorted[[int][math]::Floor($sorted.Count / 2)]
}

$grown = [Collections.Generic.List[double]]::new()
$warm = [Collections.Generic.List[double]]::new()
for ($run = 1; $run -le $Runs; $run++) {
    $line = & $pwsh -NoProfile -NonInteractive -Command $child | Select-Object -Last 1
    $parts = $line -split ';'
    $grown.Add([double]$parts[0])
    $warm.Add([double]$parts[1])
    Write-Host ("run {0}: width 4 -> 20: {1:n1} ms ({2:n2}x the ideal); all 20 warm: {3:n1} ms ({4:n2}x)" -f $run, $grown[-1], ($grown[-1] / 250), $warm[-1], ($warm[-1] / 250))
}
$median = Get-Median $grown
$warmMedian = Get-Median $warm
Write-Host ("sleep: 100 x 50 ms, throttle 20 after a call at 4 (ideal 250 ms): median {0:n1} ms = {1:n2}x the ideal (min {2:n1}, max {3:n1}); all warm: median {4:n1} ms = {5:n2}x" -f
    $median, ($median / 250), ($grown | Measure-Object -Minimum).Minimum, ($grown | Measure-Object -Maximum).Maximum, $warmMedian, ($warmMedian / 250))
Write-Host ("Goal: at most 1.08x the ideal when the width grows ({0})." -f $(if ($median -le 250 * 1.08) { 'met' } else { 'missed' }))

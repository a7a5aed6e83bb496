#Requires -Version 7.2
<#
.SYNOPSIS
    Times -Isolation Process beside Start-Job (one job per item) and beside -Isolation Runspace on the same 50
    small items, in one process and one run; also the first call's cold start and the resident memory of each
    worker process.
.DESCRIPTION
    Run by `./build.ps1 -Task Bench` or directly with output/ on PSModulePath. Runs of the two pool isolations
    are interleaved, so a burst of load on a shared machine hits them alike; medians are printed with the ratios.
    Start-Job runs last and fewer times: one new process per item makes one run take a minute or more, and the
    50 processes it starts and ends would load the machine under the other measurements.
#>
[CmdletBinding()]
param(
    [int] $Items = 50,
    [int] $Runs = 5,
    [int] $JobRuns = 1,
    [int] $ThrottleLimit = 4
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module PSThreading

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

function Measure-Ms([scriptblock] $Action) {
    [GC]::Collect()
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $null = & $Action
    $watch.Elapsed.TotalMilliseconds
}

$work = 1..$Items
# The cold start: no worker process exists yet in this pwsh.
$cold = Measure-Ms { 1 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 1 { $_ } }
# Warms as many processes as the measured calls use: items slow enough that the pool opens all of them.
$null = 1..($ThrottleLimit * 2) | Invoke-ThreadPool -Isolation Process -ThrottleLimit $ThrottleLimit { Start-Sleep -Milliseconds 500; $PID }

$times = @{ Process = @(); Runspace = @(); StartJob = @() }
for ($run = 0; $run -lt $Runs; $run++) {
    $times.Process += Measure-Ms { $work | Invoke-ThreadPool -Isolation Process -ThrottleLimit $ThrottleLimit { $_ * 2 } }
    $times.Runspace += Measure-Ms { $work | Invoke-ThreadPool -ThrottleLimit $ThrottleLimit { $_ * 2 } }
}
$ids = @(1..($ThrottleLimit * 2) | Invoke-ThreadPool -Isolation Process -ThrottleLimit $ThrottleLimit { Start-Sleep -Milliseconds 500; $PID } | Sort-Object -Unique)
$rss = @($ids | ForEach-Object { (Get-Process -Id $_).WorkingSet64 / 1MB })
for ($run = 0; $run -lt $JobRuns; $run++) {
    $times.StartJob += Measure-Ms { $work | ForEach-Object { Start-Job -ArgumentList $_ { $args[0] * 2 } } | Receive-Job -Wait -AutoRemoveJob }
}

$process = Get-Median $times.Process
$runspace = Get-Median $times.Runspace
$job = Get-Median $times.StartJob
'{0} items: Start-Job {1:N0} ms, -Isolation Process {2:N0} ms ({3:N1}x faster), -Isolation Runspace {4:N0} ms ({5:N1}x faster than Process); cold start {6:N0} ms; {7:N0} MB per child' -f $Items, $job, $process, ($job / $process), $runspace, ($process / $runspace), $cold, (Get-Median $rss)
[pscustomobject]@{ What = "$Items items, Start-Job (one job per item)"; Total_ms = [math]::Round($job); PerItem_ms = [math]::Round($job / $Items, 1); Ratio = 'x1' }
[pscustomobject]@{ What = "$Items items, -Isolation Process (warm, throttle $ThrottleLimit)"; Total_ms = [math]::Round($process); PerItem_ms = [math]::Round($process / $Items, 1); Ratio = 'x{0:N1} faster than Start-Job' -f ($job / $process) }
[pscustomobject]@{ What = "$Items items, -Isolation Runspace (warm, throttle $ThrottleLimit)"; Total_ms = [math]::Round($runspace); PerItem_ms = [math]::Round($runspace / $Items, 2); Ratio = 'x{0:N1} faster than -Isolation Process' -f ($process / $runspace) }
[pscustomobject]@{ What = 'cold start: first -Isolation Process call of one item'; Total_ms = [math]::Round($cold); PerItem_ms = ''; Ratio = '' }
[pscustomobject]@{ What = "resident memory per worker process (MB, $($rss.Count) processes)"; Total_ms = ''; PerItem_ms = [math]::Round((Get-Median $rss), 1); Ratio = "min $([math]::Round(($rss | Measure-Object -Minimum).Minimum)) max $([math]::Round(($rss | Measure-Object -Maximum).Maximum))" }

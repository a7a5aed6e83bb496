#Requires -Version 7.2
<#
.SYNOPSIS
    Times Invoke-ThreadPool -Session over real SSH remoting on loopback: slow items on 1 and 3 sessions, tiny
    items one and 50 to a round trip, and the same tiny items split by hand over Invoke-Command -Session,
    in one process and one run, and prints medians and ratios.
.DESCRIPTION
    Run by `./build.ps1 -Task Bench`. Starts an sshd of its own (tests/Ssh.ps1) and three sessions to
    127.0.0.1, .2 and .3; says why and exits 0 where sshd is missing. Runs are interleaved so that load on a
    shared machine hits the variants alike.
#>
[CmdletBinding()]
param([int] $Runs = 3)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module PSThreading
. (Join-Path $PSScriptRoot '../tests/Ssh.ps1')
$skip = Get-SshSkipReason
if ($skip) { Write-Host "skipped: $skip"; return }

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

$server = Start-SshTestServer
$sessions = @('127.0.0.1', '127.0.0.2', '127.0.0.3' | ForEach-Object { New-SshTestSession $server $_ })
try {
    $tiny = 1..1000
    $actions = [ordered]@{
        '30 x 300 ms, 1 session'        = { $r = 1..30 | Invoke-ThreadPool -Session $sessions[0] { Start-Sleep -Milliseconds 300; $_ }; if (@($r).Count -ne 30) { throw 'lost items' } }
        '30 x 300 ms, 3 sessions'       = { $r = 1..30 | Invoke-ThreadPool -Session $sessions { Start-Sleep -Milliseconds 300; $_ }; if (@($r).Count -ne 30) { throw 'lost items' } }
        '1,000 tiny, -BatchSize 1'      = { $r = $tiny | Invoke-ThreadPool -Session $sessions { $_ * 2 }; if (@($r).Count -ne 1000) { throw 'lost items' } }
        '1,000 tiny, -BatchSize 50'     = { $r = $tiny | Invoke-ThreadPool -Session $sessions -BatchSize 50 { $_ * 2 }; if (@($r).Count -ne 1000) { throw 'lost items' } }
        '1,000 tiny, split by hand'     = {
            # What users write today: one share of the list per session, Invoke-Command on each at once.
            $jobs = for ($i = 0; $i -lt 3; $i++) {
                $share = @(for ($j = $i; $j -lt $tiny.Count; $j += 3) { $tiny[$j] })
                Invoke-Command -Session $sessions[$i] -AsJob -ArgumentList (, $share) { param($items) foreach ($x in $items) { $x * 2 } }
            }
            $r = $jobs | Receive-Job -Wait -AutoRemoveJob
            if (@($r).Count -ne 1000) { throw 'lost items' }
        }
    }
    $times = @{}
    foreach ($name in $actions.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
    for ($run = 0; $run -lt $Runs; $run++) {
        foreach ($name in $actions.Keys) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            & $actions[$name]
            $times[$name].Add($clock.Elapsed.TotalMilliseconds)
        }
    }
    $median = @{}
    foreach ($name in $actions.Keys) { $median[$name] = Get-Median $times[$name] }
    $actions.Keys | ForEach-Object { [pscustomobject]@{ Workload = $_; 'Median ms' = '{0:n0}' -f $median[$_] } } | Format-Table -AutoSize | Out-Host
    $speedup = $median['30 x 300 ms, 1 session'] / $median['30 x 300 ms, 3 sessions']
    $batching = $median['1,000 tiny, -BatchSize 1'] / $median['1,000 tiny, -BatchSize 50']
    $byHand = $median['1,000 tiny, -BatchSize 50'] / $median['1,000 tiny, split by hand']
    Write-Host ('3 sessions vs 1 on 30 x 300 ms: {0:n2}x faster (goal: at least 2.7x) {1}' -f $speedup, ($(if ($speedup -ge 2.7) { 'met' } else { 'NOT met' })))
    Write-Host ('-BatchSize 50 vs 1 on 1,000 tiny items: {0:n2}x faster' -f $batching)
    Write-Host ('-BatchSize 50 vs the split by hand: {0:n2}x the time (the hand split cannot rebalance a slow or lost node)' -f $byHand)
}
finally {
    Stop-SshTestServer $server $sessions
}

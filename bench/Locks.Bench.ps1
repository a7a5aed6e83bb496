# Lock costs from PowerShell: Acquire()/Release() from a script, Invoke-WithLock beside a plain
# dot-sourced block, and how long a two-thread deadlock takes to be reported. Prints medians of rounds, and the
# ratio Invoke-WithLock / bare block: the median over slices of 500 calls of each, timed alternately, so that a
# burst of load on a shared machine hits one pair of slices, not a whole round of one of them.
param(
    [int] $Calls = 5000,
    [int] $Rounds = 5
)
Import-Module PSThreading
$ErrorActionPreference = 'Stop'

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][math]::Floor($sorted.Count / 2)]
}

function Measure-Microseconds([scriptblock] $Loop) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $null = & $Loop
    $clock.Elapsed.TotalMilliseconds * 1000 / $Calls
}

$lock = New-ThreadLock
$n = 0
$methods = @(); $withLock = @(); $dotted = @(); $ratios = @()
for ($round = 0; $round -le $Rounds; $round++) {
    $m = Measure-Microseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = $lock.Acquire(); $lock.Release() } }
    $w = Measure-Microseconds { for ($i = 0; $i -lt $Calls; $i++) { Invoke-WithLock $lock { $n++ } } }
    $d = Measure-Microseconds { for ($i = 0; $i -lt $Calls; $i++) { . { $n++ } } }
    # Round 0 warms up: not counted.
    if ($round -gt 0) { $methods += $m; $withLock += $w; $dotted += $d }
}

$Calls = 500
for ($pair = 0; $pair -lt $Rounds * 10; $pair++) {
    $w = Measure-Microseconds { for ($i = 0; $i -lt $Calls; $i++) { Invoke-WithLock $lock { $n++ } } }
    $d = Measure-Microseconds { for ($i = 0; $i -lt $Calls; $i++) { . { $n++ } } }
    $ratios += $w / $d
}

$latencies = foreach ($round in 1..3) {
    $a = New-ThreadLock; $b = New-ThreadLock
    $both = [System.Threading.CountdownEvent]::new(2)
    $crossed = {
        param($first, $second, $both)
        Invoke-WithLock $first {
            $null = $both.Signal()
            $null = $both.Wait(5000)
            $clock = [Diagnostics.Stopwatch]::StartNew()
            try { Invoke-WithLock $second { } } catch { $clock.Elapsed.TotalMilliseconds }
        }
    }
    $threads = (Start-WorkerThread $crossed -ArgumentList $a, $b, $both), (Start-WorkerThread $crossed -ArgumentList $b, $a, $both)
    $threads | Wait-WorkerThread -Timeout 30
}

'$lock.Acquire(); $lock.Release()  : {0,8:0.0} us per pair' -f (Get-Median $methods)
'Invoke-WithLock $lock {{ $n++ }}    : {0,8:0.0} us per call' -f (Get-Median $withLock)
'. {{ $n++ }} (no lock, for scale)  : {0,8:0.0} us per call' -f (Get-Median $dotted)
'deadlock of two threads reported : {0,8:0} ms after the cycle closed (median of 3)' -f (Get-Median @($latencies))
$ratio = Get-Median $ratios
$sortedRatios = @($ratios | Sort-Object)
'Invoke-WithLock / bare block      : {0,8:0.00}x (median of {1} pairs of 500 calls; quartiles {2:0.00}x-{3:0.00}x)' -f $ratio, $ratios.Count,
    $sortedRatios[[int]($sortedRatios.Count / 4)], $sortedRatios[[int]($sortedRatios.Count * 3 / 4)]
'Goal: Invoke-WithLock at most 2x a bare dot-sourced block ({0}).' -f $(if ($ratio -le 2) { 'met' } else { 'missed' })

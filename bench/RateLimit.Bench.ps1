# Issue 24's figures. (1) The rate: 500 items at several rates, the largest count of item starts in any window
# of the period (read by the items themselves, at their first statement) and the run's time beside the ideal,
# (ceil(N / limit) - 1) x period: the moment the last window may open. Goal: never above the limit, within 5%.
# (2) The cost: 2,000 tiny items with -RateLimit 1000000 (a rate that never waits) beside no rate, medians.
param(
    [int] $Items = 500,
    [int[]] $Limits = @(250, 100, 50),
    [int] $TinyItems = 2000,
    [int] $Rounds = 5
)
Import-Module PSThreading
$ErrorActionPreference = 'Stop'

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][math]::Floor($sorted.Count / 2)]
}

# The most starts inside any window [t, t + period) that begins at a start: sorted times, two pointers.
function Get-MostInWindow([double[]] $Times, [double] $Period) {
    $sorted = [double[]]($Times | Sort-Object)
    $most = 0; $j = 0
    for ($i = 0; $i -lt $sorted.Count; $i++) {
        while ($j -lt $sorted.Count -and $sorted[$j] -lt $sorted[$i] + $Period) { $j++ }
        $most = [math]::Max($most, $j - $i)
    }
    $most
}

$frequency = [Diagnostics.Stopwatch]::Frequency
# Warm the pool (runspaces, the loop) so the first row does not pay for the first call of the session.
$null = 1..50 | Invoke-ThreadPool -ThrottleLimit 16 { $_ }

Write-Host "rate: $Items items, throttle 16, period 1 s"
Write-Host ('{0,8} {1,14} {2,10} {3,10} {4,8}' -f 'limit', 'most in 1 s', 'ideal s', 'took s', 'over')
foreach ($limit in $Limits) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $starts = 1..$Items | Invoke-ThreadPool -ThrottleLimit 16 -RateLimit $limit { [Diagnostics.Stopwatch]::GetTimestamp() }
    $took = $clock.Elapsed.TotalSeconds
    $seconds = [double[]]($starts | ForEach-Object { $_ / $frequency })
    $sorted = $seconds | Sort-Object
    # The span from first to last start: the part of the run the rate decides.
    $span = $sorted[-1] - $sorted[0]
    $ideal = [math]::Ceiling($Items / $limit) - 1
    Write-Host ('{0,8} {1,14} {2,10:0.000} {3,10:0.000} {4,7:0.0}%' -f $limit, (Get-MostInWindow $seconds 1.0), $ideal, $span,
        (100 * ($span - $ideal) / [math]::Max($ideal, 1e-9)))
}

Write-Host ''
Write-Host "cost: $TinyItems x `$_ * 2, medians of $Rounds rounds, ms"
$plain = @(); $rated = @()
foreach ($round in 1..$Rounds) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $null = 1..$TinyItems | Invoke-ThreadPool { $_ * 2 }
    $plain += $clock.Elapsed.TotalMilliseconds
    $clock.Restart()
    $null = 1..$TinyItems | Invoke-ThreadPool -RateLimit 1000000 { $_ * 2 }
    $rated += $clock.Elapsed.TotalMilliseconds
}
$a = Get-Median $plain; $b = Get-Median $rated
Write-Host ('no rate {0,8:0.0}   -RateLimit 1000000 {1,8:0.0}   {2:+0.0;-0.0}%' -f $a, $b, (100 * ($b - $a) / $a))

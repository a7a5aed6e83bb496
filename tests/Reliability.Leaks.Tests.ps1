BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# No leaks: after 1,000 Invoke-ThreadPool calls, 200 start/wait cycles and 100 stopped workers, runspaces,
# live worker threads and the workers' OS threads are back to their baseline (+2), parked pool threads within a
# small multiple of the largest throttle used, and managed memory
# after a full GC is within 50 MB of it. The module's own OS threads (workers' dedicated threads and pool
# threads) are counted, read from its internal counters: the process's thread count also holds the .NET thread
# pool, which grows by itself when the machine is busy, and that is no leak of ours.
#
# The baseline is fair only in a process of its own (this one holds whatever earlier tests left warm), taken
# after one round of each kind of work: the module keeps warm caches on purpose (two idle worker runspaces;
# a pool's runspaces and OS threads for about 30 s after a call), and those belong in the baseline. The load
# uses the same shapes (-ThrottleLimit 4), so a cache that grew with the load shows as a leak. Trimming of
# anything extra is given a bounded 10 s.
Describe 'Reliability: no leaks' {
    It 'returns runspaces, workers, OS threads and memory to baseline after 1,000 pool calls, 200 start/wait cycles and 100 stopped workers' {
        $run = Invoke-ChildPwsh -TimeoutSeconds 240 -Script ($ChildThreadCounters + @'
function Get-Figures {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    [pscustomobject]@{
        Runspaces = @(Get-Runspace).Count
        Workers = @(Get-ActiveThread | Where-Object Kind -NE 'Main').Count
        OsThreads = $workerCounter.GetValue($null) + $poolCounter.GetValue($null)
        WorkerOsThreads = $workerCounter.GetValue($null)
        PoolOsThreads = $poolCounter.GetValue($null)
        ProcessThreads = (Get-Process -Id $PID).Threads.Count
        MemoryMB = [math]::Round([GC]::GetTotalMemory($true) / 1MB, 1)
    }
}
function Invoke-Load([int] $PoolCalls, [int] $Cycles, [int] $Stops) {
    for ($i = 0; $i -lt $PoolCalls; $i++) { $null = 1..4 | Invoke-ThreadPool { $_ * 2 } -ThrottleLimit 4 -NoProgress }
    for ($i = 0; $i -lt $Cycles; $i++) { $null = Start-WorkerThread { $i } | Wait-WorkerThread -Timeout 30 }
    for ($i = 0; $i -lt $Stops; $i++) {
        $thread = Start-WorkerThread { Start-Sleep -Seconds 30 }
        $thread | Stop-WorkerThread
        if ($thread.State -ne 'Stopped') { throw "stop $i left $($thread.Name) $($thread.State)" }
    }
}
Invoke-Load -PoolCalls 3 -Cycles 3 -Stops 3
Start-Sleep -Milliseconds 500
$baseline = Get-Figures
$clock = [Diagnostics.Stopwatch]::StartNew()
Invoke-Load -PoolCalls 1000 -Cycles 200 -Stops 100
$loadSeconds = $clock.Elapsed.TotalSeconds
$after = Get-Figures
$clock.Restart()
# Trimming of warm caches beyond the baseline is given at most 10 s.
while (($after.Runspaces -gt $baseline.Runspaces + 2 -or $after.Workers -gt $baseline.Workers + 2 -or
        $after.WorkerOsThreads -gt $baseline.WorkerOsThreads + 2 -or $after.PoolOsThreads -gt 16) -and $clock.Elapsed.TotalSeconds -lt 10) {
    Start-Sleep -Milliseconds 500
    $after = Get-Figures
}
[pscustomobject]@{ Baseline = $baseline; After = $after; LoadSeconds = $loadSeconds; TrimSeconds = $clock.Elapsed.TotalSeconds } |
    ConvertTo-Json -Compress
'@)
        $run.ExitCode | Should -Be 0
        $figures = $run.Output[-1] | ConvertFrom-Json
        $base = $figures.Baseline
        $after = $figures.After
        Write-Host ("    figures: load {0:N1} s; runspaces {1} -> {2}; workers {3} -> {4}; module OS threads {5} -> {6} (process {7} -> {8}); managed memory {9} MB -> {10} MB; trimmed in {11:N1} s" -f `
            $figures.LoadSeconds, $base.Runspaces, $after.Runspaces, $base.Workers, $after.Workers, $base.OsThreads, $after.OsThreads,
            $base.ProcessThreads, $after.ProcessThreads, $base.MemoryMB, $after.MemoryMB, $figures.TrimSeconds)
        $base.OsThreads | Should -BeGreaterThan 0 -Because 'the baseline holds the warm pool threads, so the counters are read'
        $after.Runspaces | Should -BeLessOrEqual ($base.Runspaces + 2)
        $after.Workers | Should -BeLessOrEqual ($base.Workers + 2)
        $after.WorkerOsThreads | Should -BeLessOrEqual ($base.WorkerOsThreads + 2)
        # Parked pool threads are a cache for 30 s, not a count per call: a call's workers may start before the
        # previous call's threads are back in the cache (they give their runspaces back first), so a few more
        # than the throttle (4 here) can be parked. A leak would grow with the 1,000 calls; the bound is 4x.
        $after.PoolOsThreads | Should -BeLessOrEqual 16
        ($after.MemoryMB - $base.MemoryMB) | Should -BeLessThan 50
    }
}

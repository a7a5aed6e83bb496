BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Stop-WorkerThread on a pool worker stops the item it runs (PoolItemStopped) and the worker; the call starts
# another worker and goes on. A stop the user asked for is not a worker failure: before, the third stop of one
# worker slot failed the whole call ("Pool worker ThreadPool-1_3 ended 3 times before the items were done") and
# thousands of items were neither run nor reported; an item stopped as its block returned was reported twice, as
# its output and as PoolItemStopped.
Describe 'Invoke-ThreadPool while Stop-WorkerThread stops its workers' {
    It 'ends every item exactly once, as its output or a PoolItemStopped error naming it, through a storm of <Stops> stops' -TestCases @(
        @{ Stops = 16 }
    ) {
        param($Stops)
        $enough = New-ThreadEvent
        $started = New-ThreadEvent
        # One stop of a random pool worker every 30 ms; the input streams until enough stops have landed, so the
        # call outlasts the storm however fast or loaded the machine is.
        $stopper = Start-WorkerThread -ArgumentList $enough, $started, $Stops {
            param($enough, $started, $stops)
            $done = 0
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while ($done -lt $stops -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 30
                $workers = @(Get-ActiveThread | Where-Object { $_.Kind -eq 'PoolWorker' -and $_.IsAlive })
                if ($workers.Count -gt 0) {
                    $started.Set()
                    $workers[(Get-Random -Maximum $workers.Count)] | Stop-WorkerThread -WarningAction SilentlyContinue
                    $done++
                }
            }
            $enough.Set()
            $done
        }
        $emitted = [System.Collections.Generic.List[int]]::new()
        $room = New-ThreadSemaphore 32 -Unbounded
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = & {
            $i = 0
            # At least 200 items, and more until the storm is over (bounded: the stopper gives up after 60 s). Paced
            # by the items that started, so that the call ends soon after the storm on a loaded machine too (a stopped
            # item may not give its room back: the wait for room is timed).
            while (($i -lt 200 -or -not $enough.IsSet) -and $i -lt 200000) {
                $null = $room.Acquire(0.1)
                $emitted.Add($i)
                $i
                $i++
            }
        } | Invoke-ThreadPool -ThrottleLimit 4 { ($using:room).Release(); foreach ($n in 1..20) { $null = $n }; $_; [Threading.Thread]::SpinWait(20000) } -ErrorVariable failures -ErrorAction SilentlyContinue
        $clock.Stop()
        $stopsDone = Wait-WorkerThread $stopper -Timeout 70
        $stopsDone | Should -Be $Stops -Because 'the storm must land on a running call to test anything'

        $stopped = @($failures | Where-Object { $_.FullyQualifiedErrorId -like 'PoolItemStopped*' })
        $other = @($failures | Where-Object { $_.FullyQualifiedErrorId -notlike 'PoolItemStopped*' })
        $other | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty
        $ended = @($out) + @($stopped | ForEach-Object TargetObject)
        Write-Host ("    figures: {0} items, {1} stops, {2} items stopped, call {3:N1} s" -f $emitted.Count, $stopsDone, $stopped.Count, $clock.Elapsed.TotalSeconds)
        $ended.Count | Should -Be $emitted.Count -Because 'every item ends once, as output or as PoolItemStopped'
        $seen = [System.Collections.Generic.HashSet[int]]::new()
        $duplicates = @($ended | Where-Object { -not $seen.Add([int]$_) })
        $duplicates | Should -BeNullOrEmpty -Because 'no item ends twice'
        $seen.Count | Should -Be $emitted.Count
        # No worker of the call is left behind.
        Wait-Until { -not (Get-ActiveThread | Where-Object { $_.Kind -eq 'PoolWorker' -and $_.IsAlive }) } -Seconds 10
    }

    It 'counts a worker that fails by itself, not one the user stopped: <Stops> stops of the only worker do not end the call' -TestCases @(
        @{ Stops = 4 }
    ) {
        param($Stops)
        # One slot: each stop hits the same worker slot, which before failed the call at its third stop.
        $enough = New-ThreadEvent
        $stopper = Start-WorkerThread -ArgumentList $enough, $Stops {
            param($enough, $stops)
            $done = 0
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ($done -lt $stops -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 30
                $worker = Get-ActiveThread | Where-Object { $_.Kind -eq 'PoolWorker' -and $_.IsAlive } | Select-Object -First 1
                if ($worker) {
                    $worker | Stop-WorkerThread -WarningAction SilentlyContinue
                    $done++
                }
            }
            $enough.Set()
            $done
        }
        $room = New-ThreadSemaphore 8 -Unbounded
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = & {
            $i = 0
            while (-not $enough.IsSet -and $i -lt 100000) { $null = $room.Acquire(0.1); ($i++) }
            # A last few after the storm: the call must still run them.
            foreach ($n in 1..5) { ($i++) }
        } | Invoke-ThreadPool -ThrottleLimit 1 { ($using:room).Release(); Start-Sleep -Milliseconds 5; $_ } -ErrorVariable failures -ErrorAction SilentlyContinue
        Write-Host ("    figures: {0} items, {1} stopped, call {2:N1} s" -f (@($out).Count + @($failures).Count), @($failures).Count, $clock.Elapsed.TotalSeconds)
        Wait-WorkerThread $stopper -Timeout 40 | Should -Be $Stops
        @($failures | Where-Object { $_.FullyQualifiedErrorId -notlike 'PoolItemStopped*' }) | Should -BeNullOrEmpty
        $total = @($out).Count + @($failures).Count
        @($out)[-1] | Should -Be ($total - 1) -Because 'the items after the storm still run'
    }
}

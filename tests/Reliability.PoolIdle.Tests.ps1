BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Reliability: an idle pool costs nothing, and a call timing out ends cleanly' {
    BeforeAll {
        function Get-ProcessCpuMs {
            $process = [Diagnostics.Process]::GetCurrentProcess()
            $process.Refresh()
            $process.TotalProcessorTime.TotalMilliseconds
        }

        # .NET's tiered JIT recompiles hot code in the background for a few seconds after new work: waits
        # (bounded) for a quiet half second, so that the figures below measure the pool, not the JIT.
        function Wait-CpuSettled {
            for ($i = 0; $i -lt 20; $i++) {
                $before = Get-ProcessCpuMs
                Start-Sleep -Milliseconds 500
                if ((Get-ProcessCpuMs) - $before -lt 40) { return }
            }
        }
    }

    It 'spends next to no CPU while 16 workers wait for a slow upstream command' {
        # Items of 300 ms arrive 5 ms apart, so all 16 workers start; then the upstream is quiet for 4 s.
        $upstream = {
            foreach ($n in 1..16) { $n; Start-Sleep -Milliseconds 5 }
            Start-Sleep -Milliseconds 500
            Wait-CpuSettled
            $before = Get-ProcessCpuMs
            $script:workersAlive = @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count
            Start-Sleep -Seconds 4
            $script:idleCpuMs = (Get-ProcessCpuMs) - $before
        }
        $null = 1..16 | Invoke-ThreadPool { Start-Sleep -Milliseconds 300 } -ThrottleLimit 16
        $null = & $upstream | ForEach-Object { $_ }
        $baselineMs = $script:idleCpuMs
        $out = & $upstream | Invoke-ThreadPool { Start-Sleep -Milliseconds 300; $_ } -ThrottleLimit 16
        $script:workersAlive | Should -BeGreaterOrEqual 14 -Because 'the workers started and now wait'
        ($out | Sort-Object) | Should -Be (1..16)
        # Workers polling every millisecond used 0.3 s of CPU in 3 s here on a loaded machine, several times
        # that on an idle one; sleeping workers use about what the process does anyway.
        ($script:idleCpuMs - $baselineMs) | Should -BeLessThan 300 -Because "idle pool $($script:idleCpuMs) ms against $baselineMs ms"
    }

    It 'starts an item that arrives at an idle pool at once' {
        $ticksPerMs = [Diagnostics.Stopwatch]::Frequency / 1000
        $delays = @(& { foreach ($n in 1..20) { [Diagnostics.Stopwatch]::GetTimestamp(); Start-Sleep -Milliseconds 20 } } |
                Invoke-ThreadPool { ([Diagnostics.Stopwatch]::GetTimestamp() - $_) / $using:ticksPerMs } -ThrottleLimit 4)
        $delays.Count | Should -Be 20
        $median = @($delays | Sort-Object)[10]
        $median | Should -BeLessThan 20 -Because 'an idle worker is woken by the item, not by a timer'
    }

    It 'writes in order what finished when -Ordered -Timeout fires while items still end, and nothing else' {
        foreach ($run in 1..3) {
            # 0.2-1.5 s items: some end before the 0.5 s timeout, some right around it, some long after.
            $durations = 200, 1500, 300, 450, 500, 550, 1000, 250
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = @(0..7 | Invoke-ThreadPool { Start-Sleep -Milliseconds ($using:durations)[$_]; $_ } -Ordered -ThrottleLimit 8 -Timeout 0.5 `
                    -ErrorVariable failures -ErrorAction SilentlyContinue)
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            @($failures | ForEach-Object FullyQualifiedErrorId) | Should -Be @('PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand')
            $out | Should -Not -Contain 1 -Because 'the 1.5 s item had not finished'
            $out | Should -Not -Contain 6
            (($out | Sort-Object) -join ',') | Should -Be ($out -join ',') -Because 'results keep input order'
        }
    }

    It 'reports every item timed out, without running it, under -ItemTimeout 0 (20 calls)' {
        $ran = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
        foreach ($call in 1..20) {
            $out = 1..10 | Invoke-ThreadPool { ($using:ran).Add($_); $_ } -ItemTimeout 0 -ThrottleLimit 4 -ErrorVariable failures -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $failures.Count | Should -Be 10 -Because "call $call"
            @($failures | Where-Object FullyQualifiedErrorId -Like 'ItemTimeout*').Count | Should -Be 10
            ($failures.TargetObject | Sort-Object) | Should -Be (1..10)
        }

        $ran.Count | Should -Be 0
        "$($failures[0])" | Should -BeLike '*-ItemTimeout 0*'
    }

    It 'stops the call at once with PoolTimeout and runs no item under -Timeout 0' {
        $ran = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
        foreach ($call in 1..10) {
            $out = 1..10 | Invoke-ThreadPool { ($using:ran).Add($_); $_ } -Timeout 0 -ErrorVariable failures -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            @($failures | ForEach-Object FullyQualifiedErrorId) | Should -Be @('PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand')
        }

        Start-Sleep -Milliseconds 200
        $ran.Count | Should -Be 0
    }
}

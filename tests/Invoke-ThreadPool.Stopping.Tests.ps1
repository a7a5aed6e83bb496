BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Issue 20, "Pools that stop when told": -Timeout bounds -End too, Ctrl+C ends a call inside -End, and under
# -ErrorAction Stop (or $ErrorActionPreference = 'Stop') no item starts once an item's failure is seen.
Describe 'Invoke-ThreadPool stops when told' {
    BeforeAll {
        # The pool workers alive now: a stopped call leaves none behind (its -End included).
        function Get-LivePoolWorker { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker') }

        # Runs $Script in a child pwsh; once the file $marker exists (written by the -End under test), sends
        # SIGINT and returns how long the script's finally took to run after it, what the child printed, and its
        # exit code. $marker and $finished are paths the script may use.
        function Invoke-SigintInEnd([string] $Script) {
            $base = Join-Path ([IO.Path]::GetTempPath()) "psthreading-pool-$([guid]::NewGuid().ToString('n'))"
            $marker, $finished, $file, $stdout = "$base.inend", "$base.finished", "$base.ps1", "$base.out"
            "Import-Module '$ModuleManifest'`n" + $Script.Replace('MARKER', $marker).Replace('FINISHED', $finished) | Set-Content $file
            $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file `
                -RedirectStandardOutput $stdout -PassThru -NoNewWindow
            try {
                Wait-Until { Test-Path $marker } -Seconds 60
                $sent = [datetime]::UtcNow
                & kill -s INT $process.Id
                $process.WaitForExit(10000) | Should -BeTrue -Because 'pwsh ends after Ctrl+C ends its script'
                $process.WaitForExit()   # the redirected output is copied to its file asynchronously
                [pscustomobject]@{
                    Seconds = if (Test-Path $finished) { ([datetime]::new([long](Get-Content $finished -Raw), 'Utc') - $sent).TotalSeconds }
                    Output = (Get-Content $stdout -Raw) + ''
                    ExitCode = $process.ExitCode
                    EndFinally = if (Test-Path "$finished.check") { Get-Content "$finished.check" -Raw }
                }
            }
            finally {
                if (-not $process.HasExited) { $process.Kill($true) }
                Remove-Item $file, $stdout, $marker, $finished, "$finished.end", "$finished.check" -ErrorAction Ignore
            }
        }
    }

    AfterEach { Stop-LeftoverWorker }

    Context '-Timeout bounds -End' {
        It 'returns within the timeout plus a short grace when -End outlasts it, with PoolTimeout and what -End wrote' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = 1..3 | Invoke-ThreadPool { $_ } -ThrottleLimit 1 -Ordered -Timeout 1 -End { 'closing'; Start-Sleep -Seconds 20 } `
                -ErrorVariable failures -ErrorAction SilentlyContinue
            $seconds = $clock.Elapsed.TotalSeconds
            $seconds | Should -BeLessThan 4 -Because 'the call took 24 s here before -Timeout bounded -End'
            $out | Should -Be @(1, 2, 3, 'closing')
            $failures.FullyQualifiedErrorId | Should -Be 'PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
            $failures[0].Exception.Message | Should -BeLike '*3 of 3 items*'
            Wait-Until { (Get-LivePoolWorker).Count -eq 0 } -Seconds 3
        }

        It 'stops an endless -End at the timeout as it stops an item: its finally runs, no worker is left' {
            $cleaned = [Collections.Concurrent.ConcurrentQueue[string]]::new()
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $null = 1..4 | Invoke-ThreadPool { $_ } -ThrottleLimit 2 -Timeout 1 -Begin { $me = (Get-ActiveThread -Current).Name } -End {
                try { while ($true) { Start-Sleep -Milliseconds 20 } } finally { ($using:cleaned).Enqueue($me) }
            } -ErrorAction SilentlyContinue -ErrorVariable failures
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 4 -Because 'the call never returned before'
            $failures.FullyQualifiedErrorId | Should -Contain 'PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
            Wait-Until { $cleaned.Count -ge 1 -and (Get-LivePoolWorker).Count -eq 0 } -Seconds 3
        }

        It 'gives -End only a short grace after the timeout stopped the items, then stops it: no worker runs on' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $null = 1..3 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -ThrottleLimit 3 -Timeout 0.5 -End { Start-Sleep -Seconds 30 } `
                -ErrorAction SilentlyContinue -ErrorVariable failures -WarningAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3.5
            $failures.FullyQualifiedErrorId | Should -Contain 'PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
            # Before, the call returned but its workers ran -End to its end, 30 s later.
            Wait-Until { (Get-LivePoolWorker).Count -eq 0 } -Seconds 3
        }

        It 'still runs a quick -End to its end after a timeout' {
            $ends = [Collections.Concurrent.ConcurrentQueue[int]]::new()
            $null = 1..2 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -ThrottleLimit 2 -Timeout 0.5 -End { ($using:ends).Enqueue(1) } `
                -ErrorAction SilentlyContinue
            Wait-Until { $ends.Count -eq 2 } -Seconds 15
        }

        It 'bounds a job''s -End: a job with -Timeout ends though its -End never would' {
            $job = 1..2 | Invoke-ThreadPool { $_ } -ThrottleLimit 1 -Timeout 1 -End { while ($true) { Start-Sleep -Milliseconds 20 } } -AsJob
            Wait-Until { -not $job.IsAlive } -Seconds 5
            $null = $job | Wait-WorkerThread -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable failures
            ($failures.FullyQualifiedErrorId -join ' ') | Should -BeLike '*PoolTimeout*'
            Wait-Until { (Get-LivePoolWorker).Count -eq 0 } -Seconds 3
        }

        It 'bounds a job''s -End when the job is stopped inside it' {
            $inEnd = [Threading.ManualResetEventSlim]::new()
            $job = 1..2 | Invoke-ThreadPool { $_ } -ThrottleLimit 1 -End { ($using:inEnd).Set(); while ($true) { Start-Sleep -Milliseconds 20 } } -AsJob
            $inEnd.Wait(30000) | Should -BeTrue
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $job | Stop-WorkerThread -WarningAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
            $job.State | Should -Be 'Stopped'
            Wait-Until { (Get-LivePoolWorker).Count -eq 0 } -Seconds 3
        }

        It 'bounds -End inline ($PSThreadingMode = ''Inline'') as in threads' {
            $PSThreadingMode = 'Inline'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = 1..3 | Invoke-ThreadPool { $_ } -Timeout 1 -End { 'closing'; Start-Sleep -Seconds 20 } -ErrorVariable failures -ErrorAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 4
            $out | Should -Be @(1, 2, 3, 'closing')
            $failures.FullyQualifiedErrorId | Should -Be 'PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
        }
    }

    Context 'Ctrl+C inside -End' {
        It 'ends a call stuck in an endless -End within a second of SIGINT, stopping -End (its finally runs first)' -Skip:($IsWindows) {
            # Output is gone once the pipeline stops: the script's finally blocks leave their times in files.
            $result = Invoke-SigintInEnd @'
try {
    1..2 | Invoke-ThreadPool { $_ } -ThrottleLimit 1 -End {
        [IO.File]::WriteAllText('MARKER', 'in -End')
        try { while ($true) { Start-Sleep -Milliseconds 20 } } finally { [IO.File]::WriteAllText('FINISHED.end', [datetime]::UtcNow.Ticks.ToString()) }
    }
}
finally {
    $endTicks = if (Test-Path 'FINISHED.end') { Get-Content 'FINISHED.end' -Raw } else { 'none' }
    [IO.File]::WriteAllText('FINISHED', [datetime]::UtcNow.Ticks.ToString())
    [IO.File]::WriteAllText('FINISHED.check', $endTicks)
}
'went on'
'@
            $result.ExitCode | Should -Not -Be 134
            $result.Seconds | Should -Not -BeNullOrEmpty -Because 'the script''s finally ran'
            # Within a second here when the machine is quiet (0.3-0.8 s at a load of 29 on 2 cores); generous for CI.
            $result.Seconds | Should -BeLessThan 3
            $result.EndFinally | Should -Match '^\d+$' -Because '-End was stopped, and its finally ran, before the call returned'
            $result.Output | Should -Not -Match 'went on'
        }
    }

    Context '-ErrorAction Stop stops the call at the first failure' {
        # Each run logs its items' starts in $ran, and what reached the caller in $written; item 3 fails.
        It 'with one worker no item after the failing one starts, and nothing after it is written (<Name>, 20 runs)' -TestCases @(
            @{ Name = 'throw, -ErrorAction Stop'; Fails = 'throw "item 3 failed"'; Preference = 'Continue'; Bound = $true; Ordered = $false }
            @{ Name = 'throw, -Ordered'; Fails = 'throw "item 3 failed"'; Preference = 'Continue'; Bound = $true; Ordered = $true }
            @{ Name = 'Write-Error, -ErrorAction Stop'; Fails = 'Write-Error "item 3 failed"'; Preference = 'Continue'; Bound = $true; Ordered = $false }
            @{ Name = 'throw, $ErrorActionPreference = Stop'; Fails = 'throw "item 3 failed"'; Preference = 'Stop'; Bound = $false; Ordered = $false }
            @{ Name = 'Write-Error, $ErrorActionPreference = Stop'; Fails = 'Write-Error "item 3 failed"'; Preference = 'Stop'; Bound = $false; Ordered = $true }
        ) {
            param($Fails, $Preference, $Bound, $Ordered)
            $block = [scriptblock]::Create("(`$using:ran).Enqueue(`$_); if (`$_ -eq 3) { $Fails }; `$_")
            $extra = @{ ThrottleLimit = 1; Ordered = $Ordered }
            if ($Bound) { $extra.ErrorAction = 'Stop' }
            for ($run = 1; $run -le 20; $run++) {
                $ran = [Collections.Concurrent.ConcurrentQueue[int]]::new()
                $written = [Collections.Generic.List[object]]::new()
                $caught = $null
                & {
                    $ErrorActionPreference = $Preference
                    try { 1..200 | Invoke-ThreadPool $block @extra | ForEach-Object { $written.Add($_) } }
                    catch { $script:caughtError = $_ }
                }
                $caught = $script:caughtError
                $script:caughtError = $null
                "$caught" | Should -BeLike '*item 3 failed*' -Because "run $run ends with item 3's error"
                @($ran) | Should -Be @(1, 2, 3) -Because "run $run started no item after the failing one (110 of 200 ran before)"
                @($written) | Should -Be @(1, 2) -Because "run $run wrote nothing after the error"
            }
        }

        It 'with several workers no item starts after the failure is seen, and none of them is written (20 runs)' {
            for ($run = 1; $run -le 20; $run++) {
                # One log of starts and the failure, in the order they happened.
                $log = [Collections.Concurrent.ConcurrentQueue[string]]::new()
                $written = [Collections.Generic.List[object]]::new()
                {
                    1..200 | Invoke-ThreadPool -ThrottleLimit 4 -ErrorAction Stop {
                        $log = $using:log
                        $log.Enqueue("start $_")
                        if ($_ -eq 10) { $log.Enqueue('failed'); throw 'item 10 failed' }
                        Start-Sleep -Milliseconds 20
                        $_
                    } | ForEach-Object { $written.Add($_) }
                } | Should -Throw '*item 10 failed*'
                $entries = @($log)
                $failedAt = [array]::IndexOf($entries, 'failed')
                $after = @($entries | Select-Object -Skip ($failedAt + 1) | ForEach-Object { [int]($_ -replace 'start ') })
                # Between the throw and the moment the pool sees it, each other worker may take one item at most.
                $after.Count | Should -BeLessOrEqual 3 -Because "run $run started $($after.Count) items after the failure: $($after -join ', ')"
                # What was written started before the failure was seen: before the throw, or in that short window.
                $startedBefore = @($entries | Select-Object -First $failedAt | ForEach-Object { [int]($_ -replace 'start ') }) + $after
                foreach ($value in $written) {
                    $startedBefore | Should -Contain $value -Because "run $run wrote item $value, which started after the failure"
                }
            }
        }

        It 'stops a job''s items at the first failure under -ErrorAction Stop' {
            $ran = [Collections.Concurrent.ConcurrentQueue[int]]::new()
            $job = 1..200 | Invoke-ThreadPool { ($using:ran).Enqueue($_); if ($_ -eq 3) { throw 'item 3 failed' }; $_ } -ThrottleLimit 1 -ErrorAction Stop -AsJob
            $out = $job | Wait-WorkerThread -Timeout 30 -ErrorAction SilentlyContinue -ErrorVariable failures
            "$failures" | Should -BeLike '*item 3 failed*'
            @($ran) | Should -Be @(1, 2, 3)
            @($out) | Should -Be @(1, 2)
        }

        It 'stops inline items at the first failure too' {
            $PSThreadingMode = 'Inline'
            $ran = [Collections.Concurrent.ConcurrentQueue[int]]::new()
            { 1..200 | Invoke-ThreadPool { ($using:ran).Enqueue($_); if ($_ -eq 3) { throw 'item 3 failed' }; $_ } -ErrorAction Stop } | Should -Throw '*item 3 failed*'
            @($ran) | Should -Be @(1, 2, 3)
        }

        It 'goes on after a failure when errors do not stop' {
            $out = 1..20 | Invoke-ThreadPool { if ($_ -eq 3) { throw 'item 3 failed' }; $_ } -ThrottleLimit 2 -ErrorAction SilentlyContinue -ErrorVariable failures
            @($out).Count | Should -Be 19
            @($failures).Count | Should -Be 1
        }
    }
}

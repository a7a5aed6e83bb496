BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Every module wait ends: a method call such as $lock.Acquire() hears no pipeline stop, so Ctrl+C on the main
# thread, a pool item's -ItemTimeout, the call's -Timeout and Stop-WorkerThread each end it through the
# thread's stop. Deadlock detection sees joins, and leaves timed waits to their timeouts.
Describe 'Reliability: every wait ends' {
    BeforeAll {
        $script:Temp = [IO.Path]::GetTempPath()

        # A child pwsh script: a daemon worker holds a lock for 30 s, then the main thread waits for it,
        # writing when it is about to wait and, from its finally, when the wait ended (UTC ticks).
        function New-BlockedAcquireScript([string] $Ready, [string] $Ended, [string] $Took) {
            @"
`$lock = New-ThreadLock
`$null = Start-WorkerThread -Daemon -Name holder -ArgumentList `$lock { param(`$l) `$null = `$l.Acquire(); Start-Sleep 30 }
while (-not `$lock.IsLocked) { Start-Sleep -Milliseconds 20 }
# Ready once the main thread is seen blocked in the Acquire (waiting for the lock, asleep in .NET), not before.
`$null = Start-WorkerThread -Daemon -ArgumentList (Get-ActiveThread -Main), ([Threading.Thread]::CurrentThread), `$lock {
    param(`$main, `$dotnet, `$l)
    while (-not ([object]::ReferenceEquals(`$main.WaitingFor, `$l) -and (`$dotnet.ThreadState -band [Threading.ThreadState]::WaitSleepJoin))) { Start-Sleep -Milliseconds 10 }
    [IO.File]::WriteAllText('$Ready', 'ready')
}
try { `$null = `$lock.Acquire(); [IO.File]::WriteAllText('$Took', 'took') }
finally { [IO.File]::WriteAllText('$Ended', [datetime]::UtcNow.Ticks.ToString() + '|' + ((`$lock.Holders | ForEach-Object { `$_.Thread.Name }) -join ',')) }
[IO.File]::WriteAllText('$Took', 'went on after the wait')
"@
        }

        function Get-MarkerPath([string] $Kind) { Join-Path $Temp "psthreading-waits-$Kind-$([guid]::NewGuid().ToString('n'))" }
    }

    AfterEach { Stop-LeftoverWorker }

    Context 'Ctrl+C on the main thread' {
        It 'ends an untimed Acquire() at an interactive prompt within a second, without taking the lock' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) {
            $ready, $ended, $took = (Get-MarkerPath ready), (Get-MarkerPath ended), (Get-MarkerPath took)
            $script = Get-MarkerPath script
            "Import-Module '$ModuleManifest'`n" + (New-BlockedAcquireScript $ready $ended $took) | Set-Content "$script.ps1"
            $check = Get-MarkerPath check
            $session = "psthreading-waits-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
            tmux new-session -d -s $session -x 160 -y 40 "$PwshPath -NoProfile -NoLogo"
            try {
                # Keys sent before the prompt is up are lost: wait for it.
                Wait-Until { (tmux capture-pane -p -t $session) -match '^PS .*> *$' } -Seconds 60
                # Dot-sourced at the prompt: the wait runs on the console's own pipeline thread, as typed.
                tmux send-keys -t $session ". '$script.ps1'" Enter
                Wait-Until { Test-Path $ready } -Seconds 60
                $sent = [datetime]::UtcNow
                tmux send-keys -t $session C-c
                Wait-Until { Test-Path $ended } -Seconds 10
                $ticks, $holders = (Get-Content $ended -Raw) -split '\|'
                $latency = ([datetime]::new([long]$ticks, 'Utc') - $sent).TotalSeconds
                $latency | Should -BeLessThan 3 -Because 'a second when idle; a wait that missed Ctrl+C would never end'
                $holders | Should -Be 'holder'
                Test-Path $took | Should -BeFalse -Because 'the script stops at the wait, as on Ctrl+C'
                # The prompt is back and usable, and nothing listens for Ctrl+C once the wait is over.
                tmux send-keys -t $session "[IO.File]::WriteAllText('$check', [string][PSThreading.Core.Threads.WorkerThread].Assembly.GetType('PSThreading.Core.Threads.MainThreadInterrupt').GetProperty('IsListening', [Reflection.BindingFlags]'NonPublic, Public, Static').GetValue(`$null))" Enter
                Wait-Until { Test-Path $check } -Seconds 10
                Get-Content $check -Raw | Should -Be 'False'
                Write-Host "    Ctrl+C to Acquire() returning at the prompt: $([math]::Round($latency * 1000)) ms"
            }
            finally {
                tmux kill-session -t $session 2>$null
                Remove-Item "$script.ps1", $ready, $ended, $took, $check -ErrorAction Ignore
            }
        }

        It 'ends an untimed Acquire() in a script on SIGINT (kill -INT), without taking the lock or crashing' -Skip:($IsWindows) {
            $ready, $ended, $took = (Get-MarkerPath ready), (Get-MarkerPath ended), (Get-MarkerPath took)
            $file = (Get-MarkerPath script) + '.ps1'
            "Import-Module '$ModuleManifest'`n" + (New-BlockedAcquireScript $ready $ended $took) | Set-Content $file
            $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file -PassThru -NoNewWindow
            try {
                Wait-Until { Test-Path $ready } -Seconds 60
                $sent = [datetime]::UtcNow
                & kill -s INT $process.Id
                $process.WaitForExit(10000) | Should -BeTrue -Because 'the script stops at the wait and pwsh exits'
                $process.ExitCode | Should -Not -Be 134
                $ticks, $holders = (Get-Content $ended -Raw) -split '\|'
                ([datetime]::new([long]$ticks, 'Utc') - $sent).TotalSeconds | Should -BeLessThan 3 -Because 'a second when idle; a wait that missed Ctrl+C would never end'
                $holders | Should -Be 'holder'
                Test-Path $took | Should -BeFalse
            }
            finally {
                if (-not $process.HasExited) { $process.Kill($true) }
                Remove-Item $file, $ready, $ended, $took -ErrorAction Ignore
            }
        }
    }

    Context 'pool items' {
        BeforeEach {
            $script:lock = New-ThreadLock
            $null = $lock.Acquire()
        }
        AfterEach {
            if ($lock.IsLocked) { $lock.Release() }
        }

        It 'ends an item blocked in Acquire() at its -ItemTimeout; later items still run and nobody waits on' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = 1..5 | Invoke-ThreadPool -ThrottleLimit 2 -ItemTimeout 1 -ArgumentList $lock {
                param($l)
                if ($_ -eq 1) { $null = $l.Acquire(); 'took' } else { Start-Sleep -Milliseconds 100; "item $_" }
            } -ErrorVariable failed -ErrorAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 2.5
            $out | Sort-Object | Should -Be 'item 2', 'item 3', 'item 4', 'item 5'
            $failed.FullyQualifiedErrorId | Should -Be 'ItemTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
            Wait-Until { -not (Get-ActiveThread | Where-Object WaitingFor) } -Seconds 5
            $lock.Holders.Thread.Name | Should -Be 'MainThread'
        }

        It 'ends every item blocked in Acquire() at the call''s -Timeout, within a second' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $null = 1..4 | Invoke-ThreadPool -ThrottleLimit 2 -Timeout 1 -ArgumentList $lock { param($l) $null = $l.Acquire() } -ErrorVariable failed -ErrorAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 2.5
            $failed.FullyQualifiedErrorId | Should -Contain 'PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
            Wait-Until { -not (Get-ActiveThread | Where-Object { $_.Name -like 'ThreadPool-*' }) } -Seconds 5
            $lock.Holders.Thread.Name | Should -Be 'MainThread'
        }

        It 'ends the item of a pool worker given to Stop-WorkerThread; the call goes on with the rest' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$ModuleManifest'; 1..3 | Invoke-ThreadPool -ThrottleLimit 1 -ArgumentList `$args[0] { param(`$l) if (`$_ -eq 1) { `$null = `$l.Acquire() }; `"item `$_`" }").AddArgument($lock)
                $handle = $ps.BeginInvoke()
                Wait-Until { Get-ActiveThread | Where-Object { $_.Name -like 'ThreadPool-*' -and $_.WaitingFor -eq $lock } } -Seconds 30
                $worker = Get-ActiveThread | Where-Object { $_.Name -like 'ThreadPool-*' -and $_.WaitingFor -eq $lock }
                $worker | Stop-WorkerThread -WarningVariable stillStopping -WarningAction SilentlyContinue
                $stillStopping | Should -BeNullOrEmpty
                $worker.State | Should -Be 'Stopped'
                $handle.AsyncWaitHandle.WaitOne(20000) | Should -BeTrue
                $ps.EndInvoke($handle) | Should -Be 'item 2', 'item 3'
                $ps.Streams.Error.FullyQualifiedErrorId | Should -Match '^PoolItemStopped'
                $lock.Holders.Thread.Name | Should -Be 'MainThread'
            }
            finally {
                $ps.Dispose()
            }
        }
    }

    It 'warns, naming them, about pool workers that Ctrl+C (SIGINT) cannot stop inside a .NET call' -Skip:($IsWindows) {
        $ready = Get-MarkerPath ready
        $file = (Get-MarkerPath script) + '.ps1'
        $stdout = "$file.out"
        "Import-Module '$ModuleManifest'`n" +
            "1..2 | Invoke-ThreadPool -ThrottleLimit 2 { [IO.File]::WriteAllText('$ready' + `$_, ''); [Threading.Thread]::Sleep(4000) }`n'went on'" | Set-Content $file
        $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file `
            -RedirectStandardOutput $stdout -PassThru -NoNewWindow
        try {
            # Each item writes a file of its own as it goes into Sleep: two appends to one file can collide
            # (.NET locks a file it writes on Unix too), and the item that lost would never sleep.
            Wait-Until { (Test-Path "${ready}1") -and (Test-Path "${ready}2") } -Seconds 60
            Start-Sleep -Milliseconds 200
            & kill -s INT $process.Id
            $process.WaitForExit(20000) | Should -BeTrue
            $process.WaitForExit()   # the redirected output is copied to its file asynchronously
            $process.ExitCode | Should -Not -Be 134
            $warnings = @(Get-Content $stdout | Where-Object { $_ -match 'WARNING' })
            $warnings.Count | Should -Be 1
            $warnings[0] | Should -Match "'ThreadPool-\d+_0' \(id \d+\), 'ThreadPool-\d+_1' \(id \d+\)"
            $warnings[0] | Should -Match 'still stopping'
            Get-Content $stdout | Should -Not -Contain 'went on'
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            Remove-Item $file, $stdout, "${ready}1", "${ready}2" -ErrorAction Ignore
        }
    }

    Context 'deadlock detection' {
        It 'reports Deadlock when the main thread holds a lock and joins a worker that waits for it' {
            # In a child pwsh, so that the main thread is the joiner and a missed deadlock cannot hang the suite.
            $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$lock = New-ThreadLock
$null = $lock.Acquire()
$waiter = Start-WorkerThread -ArgumentList $lock { param($l) $null = $l.Acquire(); $l.Release(); 'done' }
while (-not $waiter.WaitingFor) { Start-Sleep -Milliseconds 10 }
# Looks at the main thread while it joins: the table names the thread it waits for.
$watching = [System.Threading.ManualResetEventSlim]::new()
$watcher = Start-WorkerThread -ArgumentList $watching {
    param($watching)
    $deadline = [datetime]::UtcNow.AddSeconds(10)
    do { $table = (Get-ActiveThread -Main | Out-String -Width 200).Trim(); $watching.Set() }
    until ($table -match 'waiting for thread' -or [datetime]::UtcNow -gt $deadline)
    $table
}
$null = $watching.Wait(10000)
$clock = [Diagnostics.Stopwatch]::StartNew()
try { $waiter | Wait-WorkerThread; 'JOINED' }
catch {
    "ID=$($_.FullyQualifiedErrorId)"
    "CATEGORY=$($_.CategoryInfo.Category)"
    "TARGET=$($_.TargetObject.Name)"
    "MS=$([math]::Round($clock.Elapsed.TotalMilliseconds))"
    "MESSAGE=$($_.Exception.Message)"
}
"TABLE=$(($watcher | Wait-WorkerThread -Timeout 10) -replace '\s+', ' ')"
$lock.Release()
"AFTER=$($waiter | Wait-WorkerThread -Timeout 10)"
"WAITER=$($waiter.Name)|LOCK=$($lock.Name)"
'@
            $child.ExitCode | Should -Be 0
            $lines = @{}
            foreach ($line in $child.Output) { if ($line -match '^(\w+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
            $child.Output | Should -Not -Contain 'JOINED'
            $waiter, $lockName = $lines.WAITER -replace '\|LOCK=', '|' -split '\|'
            $lines.ID | Should -Be 'Deadlock,PSThreading.Commands.WaitWorkerThreadCommand'
            $lines.CATEGORY | Should -Be 'DeadlockDetected'
            $lines.TARGET | Should -Be $waiter
            [int]$lines.MS | Should -BeLessThan 3000
            $lines.MESSAGE | Should -Match "waits for thread '$waiter'"
            $lines.MESSAGE | Should -Match ([regex]::Escape($lockName))
            $lines.TABLE | Should -Match "waiting for thread $waiter"
            $lines.AFTER | Should -Be 'done'
            Write-Host "    join deadlock reported after $($lines.MS) ms"
        }

        It 'leaves a timed Acquire in a cycle to return $false at its timeout' {
            $a, $b = (New-ThreadLock), (New-ThreadLock)
            $ready = [System.Threading.CountdownEvent]::new(2)
            $body = {
                param($first, $second, $ready, $seconds)
                $null = $first.Acquire()
                $null = $ready.Signal(); $null = $ready.Wait(10000)
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $took = $second.Acquire($seconds)
                [pscustomobject]@{ Took = $took; Seconds = $clock.Elapsed.TotalSeconds }
                if ($took) { $second.Release() }
                $first.Release()
            }
            $one = Start-WorkerThread $body -ArgumentList $a, $b, $ready, 1.5
            $two = Start-WorkerThread $body -ArgumentList $b, $a, $ready, 1.5
            $out = $one, $two | Wait-WorkerThread -Timeout 20 -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $out.Count | Should -Be 2
            $timedOut = @($out | Where-Object Took -EQ $false)
            $timedOut.Count | Should -BeGreaterOrEqual 1
            $timedOut | ForEach-Object { $_.Seconds | Should -BeGreaterThan 1.2 }
        }
    }
}

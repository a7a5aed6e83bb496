BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Ctrl+C works: PowerShell.Stop() from a host ends each blocking command within a second. Covered in the
# cmdlet files, not repeated here: Wait-WorkerThread ('ends the wait on Ctrl+C (PowerShell.Stop) and leaves
# the thread running', Wait-WorkerThread.Tests.ps1) and a pool of 8 items of 60 s ('returns within a second
# of Ctrl+C', Invoke-ThreadPool.Tests.ps1).
Describe 'Reliability: Ctrl+C and stopping' {
    BeforeAll {
        # Runs $Script in a hosted PowerShell with $args[0] an event it sets just before it blocks; once set
        # and its pipeline thread sleeps in a .NET wait (bounded waits), times Stop().
        function Measure-HostStop([string] $Script) {
            $box = [hashtable]::Synchronized(@{})
            $ready = [System.Threading.ManualResetEventSlim]::new()
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$ModuleManifest'`n`$args[1].Thread = [Threading.Thread]::CurrentThread`n$Script").AddArgument($ready).AddArgument($box)
                $handle = $ps.BeginInvoke()
                $ready.Wait(30000) | Should -BeTrue -Because 'the command reached its wait before the stop'
                Wait-Until { $box.Thread.ThreadState -band [Threading.ThreadState]::WaitSleepJoin } -Seconds 30
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                [pscustomobject]@{
                    Seconds = $clock.Elapsed.TotalSeconds
                    Completed = $handle.IsCompleted
                    State = $ps.InvocationStateInfo.State
                }
            }
            finally {
                $ps.Dispose()
                $ready.Dispose()
            }
        }
    }

    AfterEach { Stop-LeftoverWorker }

    It 'ends an Invoke-WithLock that is waiting within a second, without taking the lock' {
        $name = "ctrlc-lock-$([guid]::NewGuid().ToString('n'))"
        $lock = New-ThreadLock -Name $name
        $null = $lock.Acquire()
        try {
            $stop = Measure-HostStop "`$args[0].Set(); Invoke-WithLock -Name '$name' { 'ran' }"
            $stop.Seconds | Should -BeLessThan 3 -Because "Ctrl+C must end the wait (a second here when idle; 3 s allows for load)"
            $stop.Completed | Should -BeTrue
            $stop.State | Should -Be 'Stopped'
            $lock.Owner.Name | Should -Be (Get-ActiveThread -Current).Name
            $lock.Holders.Count | Should -Be 1
        }
        finally {
            $lock.Release()
        }
    }

    It 'ends Invoke-ThreadPool over 100 items of Start-Sleep 10 within a second, -ThrottleLimit <Limit>' -TestCases @(
        @{ Limit = 4 }
        @{ Limit = 100 }
    ) {
        param($Limit)
        # Each item first registers itself, so the test knows that every worker is running an item.
        $started = [System.Collections.Concurrent.ConcurrentDictionary[int, byte]]::new()
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModuleManifest'`n`$started = `$args[0]`n" +
                "1..100 | Invoke-ThreadPool { `$null = (`$using:started).TryAdd(`$_, 0); Start-Sleep 10 } -ThrottleLimit $Limit -NoProgress").AddArgument($started)
            $handle = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while ($started.Count -lt $Limit -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $started.Count | Should -Be $Limit -Because 'every worker runs an item before the stop'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $seconds = $clock.Elapsed.TotalSeconds
            Write-Host ("    figures: Ctrl+C of a pool of {0} sleeping items returned in {1:N2} s" -f $Limit, $seconds)
            $seconds | Should -BeLessThan 3 -Because "the items sleep 10 s: Ctrl+C must not wait for them (about a second here when idle)"
            $handle.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $started.Count | Should -Be $Limit -Because 'no further item started after the stop'
        }
        finally {
            $ps.Dispose()
        }
        # Its workers are gone soon after (bounded): nothing keeps running.
        $deadline = [datetime]::UtcNow.AddSeconds(5)
        while ((Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker') -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker') | Should -BeNullOrEmpty
    }

    It 'returns from Stop-WorkerThread within a second for a worker stuck in Thread.Sleep(60000), reporting it as still stopping' {
        # In a child pwsh: the stuck thread cannot be ended early, and would stay listed here for a minute.
        $run = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$box = [hashtable]::Synchronized(@{})
$thread = Start-WorkerThread -ArgumentList $box { param($box) $box.Thread = [System.Threading.Thread]::CurrentThread; [System.Threading.Thread]::Sleep(60000) } -Daemon
$deadline = [datetime]::UtcNow.AddSeconds(30)
while (-not ($box.Thread -and ($box.Thread.ThreadState -band [System.Threading.ThreadState]::WaitSleepJoin)) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
$clock = [Diagnostics.Stopwatch]::StartNew()
$out = $thread | Stop-WorkerThread -PassThru -WarningVariable warned -WarningAction SilentlyContinue
$seconds = $clock.Elapsed.TotalSeconds
Start-Sleep -Milliseconds 500
[pscustomobject]@{
    Seconds = $seconds; State = "$($out.State)"; IsAlive = $out.IsAlive; EndTime = $out.EndTime; Warning = "$warned"
    StateLater = "$($thread.State)"; Listed = [bool](Get-ActiveThread -Id $thread.ManagedThreadId)
} | ConvertTo-Json -Compress
# Exits at once, without leaning on the interrupt that exit gives daemon threads (tested in Start-WorkerThread).
[Environment]::Exit(0)
'@
        $run.ExitCode | Should -Be 0
        $result = $run.Output[-1] | ConvertFrom-Json
        Write-Host ("    figures: Stop-WorkerThread on a thread in Thread.Sleep(60000) returned in {0:N2} s, state {1}" -f $result.Seconds, $result.State)
        $result.Seconds | Should -BeLessThan 3 -Because "the grace is 0.7 s; waiting for the call would take 60 s"
        $result.State | Should -Be 'Stopping'
        $result.IsAlive | Should -BeTrue
        $result.EndTime | Should -BeNullOrEmpty
        $result.Warning | Should -Match 'still stopping'
        # Still honest a moment later: the .NET call has not returned, so the thread has not stopped.
        $result.StateLater | Should -Be 'Stopping'
        $result.Listed | Should -BeTrue
    }
}

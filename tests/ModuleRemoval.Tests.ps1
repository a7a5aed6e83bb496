BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# Remove-Module PSThreading disposes what is idle (warm runspaces, parked pool threads) and leaves running
# threads to finish, with a warning. In a child pwsh: removing the module here would break the other tests.
Describe 'Remove-Module PSThreading' {
    It 'disposes idle pool workers: their runspaces and OS threads' {
        $run = Invoke-ChildPwsh -TimeoutSeconds 60 -Script ($ChildThreadCounters + @'
$null = Start-WorkerThread { 1 } | Wait-WorkerThread
[GC]::Collect(); Start-Sleep -Milliseconds 300
# OS threads from the module's counters: .NET pool threads that load adds in the process retire only after 20 s.
function Get-Figures {
    [pscustomobject]@{
        Runspaces = @(Get-Runspace).Count
        OsThreads = $workerCounter.GetValue($null) + $poolCounter.GetValue($null)
        ProcessThreads = (Get-Process -Id $PID).Threads.Count
    }
}
$baseline = Get-Figures
$null = 1..16 | Invoke-ThreadPool { $_ } -ThrottleLimit 6 -NoProgress
$warm = Get-Figures
Remove-Module PSThreading
$deadline = [datetime]::UtcNow.AddSeconds(10)
do { Start-Sleep -Milliseconds 100; $after = Get-Figures } while (($after.Runspaces -gt 1 -or $after.OsThreads -gt $baseline.OsThreads) -and [datetime]::UtcNow -lt $deadline)
[pscustomobject]@{ Baseline = $baseline; Warm = $warm; After = $after } | ConvertTo-Json -Compress
'@)
        $run.ExitCode | Should -Be 0
        $figures = $run.Output[-1] | ConvertFrom-Json
        Write-Host ("    figures: runspaces {0} -> {1} warm -> {2} after Remove-Module; module OS threads {3} -> {4} -> {5} (process {6} -> {7} -> {8})" -f `
            $figures.Baseline.Runspaces, $figures.Warm.Runspaces, $figures.After.Runspaces,
            $figures.Baseline.OsThreads, $figures.Warm.OsThreads, $figures.After.OsThreads,
            $figures.Baseline.ProcessThreads, $figures.Warm.ProcessThreads, $figures.After.ProcessThreads)
        $figures.Warm.Runspaces | Should -BeGreaterThan $figures.Baseline.Runspaces -Because 'the pool kept its runspaces warm'
        $figures.Warm.OsThreads | Should -BeGreaterThan $figures.Baseline.OsThreads -Because 'the pool kept its threads parked'
        # Only the default runspace is left: the warm worker runspaces are closed too, and the parked threads ended.
        $figures.After.Runspaces | Should -Be 1
        $figures.After.OsThreads | Should -BeLessOrEqual $figures.Baseline.OsThreads
    }

    It 'warns about running workers and leaves them to finish' {
        $run = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
# The worker runs until the test lets it go, after the removal: a fixed sleep ended first on a loaded machine.
$gate = New-ThreadEvent
$thread = Start-WorkerThread { $null = ($using:gate).Wait(30); 'finished' } -Name 'still-running'
$manifest = (Get-Module PSThreading).Path
Remove-Module PSThreading
"removed; alive: $($thread.IsAlive)"
$gate.Set()
$deadline = [datetime]::UtcNow.AddSeconds(20)
while ($thread.IsAlive -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
Import-Module $manifest
"state: $($thread.State); output: $($thread | Wait-WorkerThread -Timeout 10)"
'@
        $run.ExitCode | Should -Be 0
        $text = $run.Output -join "`n"
        $text | Should -Match "WARNING: PSThreading was removed while 1 of its threads still run \(still-running\)"
        $text | Should -Match 'removed; alive: True'
        $text | Should -Match 'state: Completed; output: finished'
    }

    It "honours Remove-Module's -WarningAction and -WarningVariable, and its advice works as written" {
        $run = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$manifest = (Get-Module PSThreading).Path
$first = Start-WorkerThread { Start-Sleep -Seconds 2 } -Name 'quiet-one'
Remove-Module PSThreading -WarningAction SilentlyContinue -WarningVariable kept
"kept: $($kept.Count) $kept"
Import-Module $manifest
$second = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name 'second-one'
Remove-Module PSThreading -WarningAction Ignore
"ignored"
Import-Module $manifest
# The advice of the warning, as written: stops every worker, no error for MainThread.
Get-ActiveThread | Stop-WorkerThread -ErrorVariable failed
"failed: $($failed.Count); second: $($second.State)"
'@
        $run.ExitCode | Should -Be 0
        $text = $run.Output -join "`n"
        $text | Should -Not -Match 'WARNING'
        $text | Should -Match 'kept: 1 PSThreading was removed while 1 of its threads still run \(quiet-one\)'
        $text | Should -Match 'ignored'
        $text | Should -Match 'failed: 0; second: Stopped'
    }
}

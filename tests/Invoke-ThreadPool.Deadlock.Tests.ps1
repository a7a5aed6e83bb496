BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# A caller waiting for its pool's items is a wait-for edge, like a join: holding a lock that an item takes
# untimed is a deadlock, reported as Start-WorkerThread + Wait-WorkerThread report theirs (Deadlock,
# DeadlockDetected, in under a few seconds) instead of a call that hangs for ever. Each case runs in a child pwsh,
# so that the caller is the main thread and a missed deadlock cannot hang the suite.
Describe 'Invoke-ThreadPool in a lock cycle' {
    It 'fails with Deadlock when the caller holds a lock that an item takes untimed (<Case>)' -TestCases @(
        @{ Case = 'Acquire() then the call, item Acquire()'; Script = @'
$null = $lock.Acquire()
try { 1..3 | Invoke-ThreadPool -ThrottleLimit 2 { $l = $using:lock; $null = $l.Acquire(); $l.Release(); "item $_" } }
finally { $lock.Release() }
'@ }
        @{ Case = 'Invoke-WithLock around the call, item Invoke-WithLock'; Script = @'
Invoke-WithLock $lock { 1 | Invoke-ThreadPool { Invoke-WithLock $using:lock { "item $_" } } }
'@ }
    ) {
        param($Case, $Script)
        $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script (@'
$lock = New-ThreadLock -Name PoolCycle
$clock = [Diagnostics.Stopwatch]::StartNew()
try {
'@ + "`n" + $Script + "`n" + @'
    'RETURNED'
}
catch {
    "ID=$($_.FullyQualifiedErrorId)"
    "CATEGORY=$($_.CategoryInfo.Category)"
    "TARGET=$($_.TargetObject.Name)"
    "MS=$([math]::Round($clock.Elapsed.TotalMilliseconds))"
    "MESSAGE=$($_.Exception.Message)"
}
# No worker of the call is left behind, hung on the lock.
$deadline = [datetime]::UtcNow.AddSeconds(10)
while ((Get-ActiveThread | Where-Object { $_.Kind -eq 'PoolWorker' -and $_.IsAlive }) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"LEFT=$(@(Get-ActiveThread | Where-Object { $_.Kind -eq 'PoolWorker' -and $_.IsAlive }).Count)"
"AFTER=$(1..2 | Invoke-ThreadPool { $l = $using:lock; if ($l.Acquire(5)) { $l.Release(); 'free' } })"
'@)
        $lines = @{}
        foreach ($line in $child.Output) { if ($line -match '^(\w+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
        $child.Output | Should -Not -Contain 'RETURNED'
        $child.ExitCode | Should -Be 0
        $lines.ID | Should -Be 'Deadlock,PSThreading.Commands.InvokeThreadPoolCommand'
        $lines.CATEGORY | Should -Be 'DeadlockDetected'
        $lines.TARGET | Should -Match '^ThreadPool-\d+_\d+$'
        [int]$lines.MS | Should -BeLessThan 5000
        $lines.MESSAGE | Should -Match "thread 'MainThread' .*waits for the items of its Invoke-ThreadPool call"
        $lines.MESSAGE | Should -Match "Lock 'PoolCycle', held by thread 'MainThread'"
        $lines.LEFT | Should -Be '0'
        $lines.AFTER | Should -Be 'free free'
        Write-Host "    figures: $Case reported after $($lines.MS) ms"
    }

    It 'fails the join of an -AsJob pool with Deadlock when the joiner holds the lock its item waits for' {
        $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$lock = New-ThreadLock -Name PoolJobCycle
$null = $lock.Acquire()
$job = 1 | Invoke-ThreadPool -AsJob { $l = $using:lock; $null = $l.Acquire(); $l.Release(); 'item done' }
# Joined once the item waits for the lock, as the join test does: the join is then the youngest wait.
$deadline = [datetime]::UtcNow.AddSeconds(20)
while (-not (Get-ActiveThread | Where-Object { $_.Kind -eq 'PoolWorker' -and $_.WaitingFor }) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
$clock = [Diagnostics.Stopwatch]::StartNew()
try { $job | Wait-WorkerThread; 'JOINED' }
catch {
    "ID=$($_.FullyQualifiedErrorId)"
    "CATEGORY=$($_.CategoryInfo.Category)"
    "MS=$([math]::Round($clock.Elapsed.TotalMilliseconds))"
    "MESSAGE=$($_.Exception.Message)"
}
$lock.Release()
"AFTER=$($job | Wait-WorkerThread -Timeout 20)"
'@
        $lines = @{}
        foreach ($line in $child.Output) { if ($line -match '^(\w+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
        $child.Output | Should -Not -Contain 'JOINED'
        $child.ExitCode | Should -Be 0
        $lines.ID | Should -Be 'Deadlock,PSThreading.Commands.WaitWorkerThreadCommand'
        $lines.CATEGORY | Should -Be 'DeadlockDetected'
        [int]$lines.MS | Should -BeLessThan 5000
        $lines.MESSAGE | Should -Match 'waits for the items of its Invoke-ThreadPool call'
        $lines.AFTER | Should -Be 'item done'
        Write-Host "    figures: -AsJob join deadlock reported after $($lines.MS) ms"
    }
}

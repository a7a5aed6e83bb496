BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'WaitStop.ps1') }
# Concurrency

Describe 'New-ThreadCondition' {
    AfterEach { Stop-LeftoverWorker }

    It 'is over a new reentrant lock by default, or over -Lock' {
        $cv = New-ThreadCondition
        $cv | Should -BeOfType ([PSThreading.Core.Sync.ThreadCondition])
        $cv.Lock.IsReentrant | Should -BeTrue
        $lock = New-ThreadLock
        [object]::ReferenceEquals((New-ThreadCondition -Lock $lock).Lock, $lock) | Should -BeTrue
    }

    It 'waiting or notifying without holding the lock is LockNotHeld' {
        $cv = New-ThreadCondition
        { $cv.Wait(0.1) } | Should -Throw -ErrorId 'LockNotHeld*'
        { $cv.Notify() } | Should -Throw -ErrorId 'LockNotHeld*'
        { $cv.NotifyAll() } | Should -Throw -ErrorId 'LockNotHeld*'
    }

    It 'Wait(seconds) gives the lock up, returns $false at the timeout, and has the lock back' {
        $cv = New-ThreadCondition
        Invoke-WithLock $cv {
            $null = $cv.Lock.Acquire()
            $cv.Wait(0.2) | Should -BeFalse
            $cv.Lock.Count | Should -Be 2
            $cv.Lock.Release()
        }
        $cv.Lock.IsLocked | Should -BeFalse
    }

    It 'Notify() wakes one, Notify(n) n, NotifyAll() every waiter' {
        $cv = New-ThreadCondition
        $woken = [hashtable]::Synchronized(@{ n = 0 })
        $workers = 1..4 | ForEach-Object {
            Start-WorkerThread -ArgumentList $cv, $woken { param($c, $w) Invoke-WithLock $c { if ($c.Wait(30)) { $w.n++ } } }
        }
        Wait-Until { $cv.Waiters.Count -eq 4 } -Seconds 20
        Invoke-WithLock $cv { $cv.Notify() }
        Wait-Until { $woken.n -eq 1 } -Seconds 10
        # The other three still wait: Notify() woke exactly one.
        $cv.Waiters.Count | Should -Be 3
        $woken.n | Should -Be 1
        Invoke-WithLock $cv { $cv.Notify(2) }
        Wait-Until { $woken.n -eq 3 } -Seconds 10
        Invoke-WithLock $cv { $cv.NotifyAll() }
        $workers | Wait-WorkerThread -Timeout 20
        $woken.n | Should -Be 4
    }

    It 'WaitFor runs the predicate on the waiting thread and returns its last value' {
        $cv = New-ThreadCondition
        $state = [hashtable]::Synchronized(@{ n = 0 })
        $worker = Start-WorkerThread -ArgumentList $cv, $state { param($c, $s) Invoke-WithLock $c { $c.WaitFor({ $s.n -ge 3 }, 30) } }
        1..3 | ForEach-Object { Start-Sleep -Milliseconds 50; Invoke-WithLock $cv { $state.n++; $cv.NotifyAll() } }
        $worker | Wait-WorkerThread -Timeout 20 | Should -BeTrue
        Invoke-WithLock $cv { $cv.WaitFor({ 0 }, 0.2) } | Should -Be 0
    }

    It 'Wait() in a worker ends at Stop-WorkerThread, and the lock is free after' {
        $cv = New-ThreadCondition
        Test-StopEndsWait $cv { param($c) Invoke-WithLock $c { $null = $c.Wait() } } | Should -BeLessThan 3
        $cv.Lock.IsLocked | Should -BeFalse
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# A worker that dies holding a lock does not leave the others hanging. The rule (New-ThreadLock's help): a
# holder that failed or was stopped frees its locks and semaphore permits, and the next taker is told they were
# abandoned; a holder that completed normally frees a reentrant lock, but leaves a plain lock or a permit held
# for another thread to release (Python's hand-off).
Describe 'Reliability: locks abandoned by a worker that ended' {
    AfterEach { Stop-LeftoverWorker }

    It 'frees a <Kind> whose holder <How>, and warns its next taker' -TestCases @(
        @{ Kind = 'plain lock'; How = 'failed'; Make = { New-ThreadLock }; Body = { param($l) $null = $l.Acquire(); throw 'half-way' } }
        @{ Kind = 'plain lock'; How = 'was stopped'; Make = { New-ThreadLock }; Body = { param($l) $null = $l.Acquire(); Start-Sleep -Seconds 30 } }
        @{ Kind = 'reentrant lock'; How = 'completed'; Make = { New-ThreadLock -Reentrant }; Body = { param($l) $null = $l.Acquire() } }
        @{ Kind = 'semaphore permit'; How = 'failed'; Make = { New-ThreadSemaphore -Count 1 }; Body = { param($l) $null = $l.Acquire(); throw 'half-way' } }
        @{ Kind = 'semaphore permit'; How = 'was stopped'; Make = { New-ThreadSemaphore -Count 1 }; Body = { param($l) $null = $l.Acquire(); Start-Sleep -Seconds 30 } }
    ) {
        param($Kind, $How, $Make, $Body)
        $lock = & $Make
        $name = "leaver-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $holder = Start-WorkerThread $Body -ArgumentList $lock -Name $name
        Wait-Until { $holder.HeldLocks -contains $lock -or -not $holder.IsAlive }
        # Another thread is already waiting when the holder ends: it must be let in, not left hanging.
        $waiter = Start-WorkerThread -ArgumentList $lock {
            param($l)
            Invoke-WithLock $l { "in; abandoned by $($l.AbandonedBy)" } -Timeout 20 -WarningVariable warned -WarningAction SilentlyContinue
            "warning: $warned"
        }
        if ($How -eq 'was stopped') {
            Wait-Until { $waiter.WaitingFor -eq $lock }
            $holder | Stop-WorkerThread
        }
        $out = $waiter | Wait-WorkerThread -Timeout 30
        $null = $holder | Wait-WorkerThread -Timeout 10 -ErrorAction SilentlyContinue
        $holder.State | Should -Be @{ 'failed' = 'Failed'; 'was stopped' = 'Stopped'; 'completed' = 'Completed' }[$How]
        $waiter.State | Should -Be 'Completed'
        $out[0] | Should -Be "in; abandoned by $name"
        $out[1] | Should -Match "abandoned: thread '$name' ended"
        $lock.Abandoned | Should -BeFalse -Because 'the mark clears once the taker releases'
        $lock.Holders.Count | Should -Be 0
    }

    It 'sets Abandoned and AbandonedBy for a script''s own Acquire(), until it releases' {
        $lock = New-ThreadLock
        $holder = Start-WorkerThread { param($l) $null = $l.Acquire(); throw 'half-way' } -ArgumentList $lock -Name 'script-leaver'
        $null = $holder | Wait-WorkerThread -Timeout 20 -ErrorAction SilentlyContinue
        $lock.IsLocked | Should -BeFalse
        $taken = & { $lock.Acquire(0) } 3>&1
        $taken[-1] | Should -BeTrue
        $lock.Abandoned | Should -BeTrue
        $lock.AbandonedBy | Should -Be 'script-leaver'
        @($taken | Where-Object { $_ -is [Management.Automation.WarningRecord] }).Count | Should -Be 1
        "$($taken[0])" | Should -Match "abandoned: thread 'script-leaver' ended"
        $lock.Release()
        $lock.Abandoned | Should -BeFalse
    }

    It 'warns a script''s Acquire() once per take-over: not again for a reentrant lock''s next level, nor after a release' {
        $lock = New-ThreadLock -Reentrant
        $holder = Start-WorkerThread { param($l) $null = $l.Acquire(); throw 'half-way' } -ArgumentList $lock -Name 'reentrant-leaver'
        $null = $holder | Wait-WorkerThread -Timeout 20 -ErrorAction SilentlyContinue
        $null = $lock.Acquire(5) 3>$null
        $again = & { $lock.Acquire(5) } 3>&1
        @($again | Where-Object { $_ -is [Management.Automation.WarningRecord] }).Count | Should -Be 0
        $lock.Release(); $lock.Release()
        $clean = & { $lock.Acquire(5) } 3>&1
        @($clean | Where-Object { $_ -is [Management.Automation.WarningRecord] }).Count | Should -Be 0
        $lock.Release()
    }

    It 'leaves a plain lock held by a worker that completed, for another thread to release (Python''s hand-off)' {
        $lock = New-ThreadLock
        Start-WorkerThread { param($l) $null = $l.Acquire() } -ArgumentList $lock | Wait-WorkerThread -Timeout 20
        $lock.IsLocked | Should -BeTrue
        $lock.Release()
        $lock.IsLocked | Should -BeFalse
        $lock.Abandoned | Should -BeFalse
    }

    It 'frees a lock held by a pool item that <How>, while its worker goes on' -TestCases @(
        @{ How = 'fails' }
        @{ How = 'is stopped at -ItemTimeout' }
    ) {
        param($How)
        $lock = New-ThreadLock
        # One worker runs both items: the second can take the lock only if the first item's hold was freed.
        $out = 1, 2 | Invoke-ThreadPool {
            param($lock, $how)
            if ($_ -eq 2) { $lock.Acquire(5); $lock.AbandonedBy -like 'ThreadPool-*'; $lock.Release(); return }
            $null = $lock.Acquire()
            if ($how -eq 'fails') { throw 'half-way' }
            Start-Sleep -Seconds 30
        } -ArgumentList $lock, $How -ThrottleLimit 1 -ItemTimeout 2 -ErrorAction SilentlyContinue -ErrorVariable failures -NoProgress
        $out | Should -Be $true, $true
        $failures.Count | Should -Be 1
        $lock.IsLocked | Should -BeFalse
        $lock.Abandoned | Should -BeFalse
    }
}

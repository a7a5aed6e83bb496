BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'New-ThreadLock' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    Context 'a plain lock (Python Lock)' {
        It 'is a free, non-reentrant ThreadLock with the documented properties' {
            $lock = New-ThreadLock
            $lock | Should -BeOfType ([PSThreading.Core.Sync.ThreadLock])
            $lock.IsLocked | Should -BeFalse
            $lock.IsReentrant | Should -BeFalse
            $lock.Owner | Should -BeNullOrEmpty
            $lock.Count | Should -Be 0
            $lock.Name | Should -Match '^Lock-\d+$'
        }

        It 'Acquire() returns $true and shows the owner; Release() frees it' {
            $lock = New-ThreadLock
            $lock.Acquire() | Should -BeTrue
            $lock.IsLocked | Should -BeTrue
            $lock.Owner.Name | Should -Be (Get-ActiveThread -Current).Name
            $lock.Owner.ManagedThreadId | Should -Be ([Environment]::CurrentManagedThreadId)
            $lock.HeldSince | Should -BeOfType ([datetime])
            $lock.Release()
            $lock.IsLocked | Should -BeFalse
        }

        It 'Acquire(0) tries once: $true on a free lock, $false on a held one' {
            $lock = New-ThreadLock
            $lock.Acquire(0) | Should -BeTrue
            $lock.Acquire(0) | Should -BeFalse
            $lock.Release()
        }

        It 'Acquire(seconds) on a lock held elsewhere returns $false after about the timeout' {
            $lock = New-ThreadLock
            $holder = Start-WorkerThread { param($l) $null = $l.Acquire(); Start-Sleep -Seconds 30 } -ArgumentList $lock
            while (-not $lock.IsLocked) { Start-Sleep -Milliseconds 20 }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $lock.Acquire(0.5) | Should -BeFalse
            $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.3
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $holder | Stop-WorkerThread
        }

        It 'may be released by another thread' {
            $lock = New-ThreadLock
            $null = $lock.Acquire()
            Start-WorkerThread { param($l) $l.Release() } -ArgumentList $lock | Wait-WorkerThread -Timeout 20
            $lock.IsLocked | Should -BeFalse
        }

        It 'refuses an untimed Acquire() by its holder at once (LockAlreadyHeld)' {
            $lock = New-ThreadLock
            $null = $lock.Acquire()
            { $lock.Acquire() } | Should -Throw -ErrorId 'LockAlreadyHeld*' -ExpectedMessage '*-Reentrant*'
            $lock.Acquire(0) | Should -BeFalse
            $lock.Acquire(0.2) | Should -BeFalse
            $lock.Release()
        }

        It 'refuses to release a free lock (LockNotHeld), saying what to do' {
            $lock = New-ThreadLock
            { $lock.Release() } | Should -Throw -ErrorId 'LockNotHeld*' -ExpectedMessage '*nobody holds it*'
            try { $lock.Release() } catch { $_.Exception.InnerException.ErrorId | Should -Be 'LockNotHeld' }
        }

        It 'refuses a negative timeout other than -1 (InvalidTimeout)' -TestCases @(
            @{ Seconds = -2 }, @{ Seconds = -0.5 }, @{ Seconds = [double]::NaN }
        ) {
            param($Seconds)
            $lock = New-ThreadLock
            { $lock.Acquire($Seconds) } | Should -Throw -ErrorId 'InvalidTimeout*'
            $lock.IsLocked | Should -BeFalse
        }
    }

    Context 'a reentrant lock (Python RLock)' {
        It 'nests and counts, and one release too many is LockNotHeld' {
            $lock = New-ThreadLock -Reentrant
            $lock.IsReentrant | Should -BeTrue
            1..3 | ForEach-Object { $lock.Acquire() | Should -BeTrue }
            $lock.Count | Should -Be 3
            1..3 | ForEach-Object { $lock.Release() }
            $lock.IsLocked | Should -BeFalse
            { $lock.Release() } | Should -Throw -ErrorId 'LockNotHeld*'
        }

        It 'refuses release by a thread that does not hold it (LockNotOwned)' {
            $lock = New-ThreadLock -Reentrant
            $null = $lock.Acquire()
            $result = Start-WorkerThread {
                param($l)
                try { $l.Release(); 'released' } catch { $_.Exception.InnerException.ErrorId }
            } -ArgumentList $lock | Wait-WorkerThread -Timeout 20
            $result | Should -Be 'LockNotOwned'
            $lock.IsLocked | Should -BeTrue
            $lock.Release()
        }
    }

    Context 'named locks' {
        It 'returns the same lock for the same name, whatever the case' {
            $name = "db-$([guid]::NewGuid())"
            $first = New-ThreadLock -Name $name
            $second = New-ThreadLock -Name $name.ToUpper()
            [object]::ReferenceEquals($first, $second) | Should -BeTrue
            $first.Name | Should -Be $name
            $first.IsNamed | Should -BeTrue
        }

        It 'is found by name from a worker thread' {
            $name = "shared-$([guid]::NewGuid())"
            $lock = New-ThreadLock -Name $name
            $null = $lock.Acquire()
            $seen = Start-WorkerThread {
                param($n)
                $found = New-ThreadLock -Name $n
                $found.IsLocked
                $found.Owner.Name
            } -ArgumentList $name | Wait-WorkerThread -Timeout 20
            $seen | Should -Be @($true, (Get-ActiveThread -Current).Name)
            $lock.Release()
        }

        It 'refuses a name asked again with another -Reentrant (LockNameConflict)' {
            $name = "kind-$([guid]::NewGuid())"
            $null = New-ThreadLock -Name $name
            { New-ThreadLock -Name $name -Reentrant } | Should -Throw -ErrorId 'LockNameConflict,*' -ExpectedMessage "*$name*"
        }

        It 'refuses an empty name' {
            { New-ThreadLock -Name '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { New-ThreadLock -Name '  ' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'visibility' {
        It 'Get-ActiveThread shows the locks a thread holds and the lock it waits for' {
            $lock = New-ThreadLock -Name "seen-$([guid]::NewGuid())"
            $null = $lock.Acquire()
            $waiter = Start-WorkerThread { param($l) $null = $l.Acquire(); $l.Release() } -ArgumentList $lock
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (-not (Get-ActiveThread -Id $waiter.ManagedThreadId).WaitingFor -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            (Get-ActiveThread -Id $waiter.ManagedThreadId).WaitingFor | Should -Be $lock
            (Get-ActiveThread -Current).HeldLocks | Should -Contain $lock
            $table = Get-ActiveThread | Format-Table | Out-String -Width 400
            $table | Should -Match ([regex]::Escape("waiting for $($lock.Name)"))
            $lock.Release()
            $waiter | Wait-WorkerThread -Timeout 20
            $waiter.WaitingFor | Should -BeNullOrEmpty
        }

        It 'formats as one line with its state and holder' {
            $lock = New-ThreadLock -Name "fmt-$([guid]::NewGuid())"
            $null = $lock.Acquire()
            $text = $lock | Out-String
            $text | Should -Match 'locked'
            $text | Should -Match ([regex]::Escape((Get-ActiveThread -Current).Name))
            $lock.Release()
            ($lock | Out-String) | Should -Match 'unlocked'
        }

        It 'frees a reentrant lock whose holder thread ended, marked Abandoned' {
            $lock = New-ThreadLock -Reentrant
            Start-WorkerThread { param($l) $null = $l.Acquire() } -ArgumentList $lock -Name 'quitter' | Wait-WorkerThread -Timeout 20
            $lock.IsLocked | Should -BeFalse
            $lock.Acquire(0) | Should -BeTrue
            $lock.Abandoned | Should -BeTrue
            $lock.AbandonedBy | Should -Be 'quitter'
            $lock.Release()
        }
    }
}

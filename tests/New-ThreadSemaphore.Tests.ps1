BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'New-ThreadSemaphore' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    It 'makes a bounded semaphore with Count and CurrentCount' {
        $semaphore = New-ThreadSemaphore 3
        $semaphore | Should -BeOfType ([PSThreading.Core.Sync.ThreadSemaphore])
        $semaphore.Count | Should -Be 3
        $semaphore.CurrentCount | Should -Be 3
        $semaphore.Acquire() | Should -BeTrue
        $semaphore.CurrentCount | Should -Be 2
        $semaphore.Release()
        $semaphore.CurrentCount | Should -Be 3
    }

    It 'refuses a count below 1 as a parameter validation error' -TestCases @(@{ Count = 0 }, @{ Count = -2 }) {
        param($Count)
        { New-ThreadSemaphore -Count $Count } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'gives true, true, false to try-acquires on a count of 2' {
        $semaphore = New-ThreadSemaphore -Count 2
        $semaphore.Acquire(0) | Should -BeTrue
        $semaphore.Acquire(0) | Should -BeTrue
        $semaphore.Acquire(0) | Should -BeFalse
        $semaphore.Release(); $semaphore.Release()
    }

    It 'refuses to be released more than it was acquired (SemaphoreOverRelease)' {
        $semaphore = New-ThreadSemaphore 1
        $null = $semaphore.Acquire()
        $semaphore.Release()
        { $semaphore.Release() } | Should -Throw -ErrorId 'SemaphoreOverRelease*' -ExpectedMessage '*permits are free already*'
        $semaphore.CurrentCount | Should -Be 1
    }

    It 'refuses a negative timeout other than -1 (InvalidTimeout)' {
        $semaphore = New-ThreadSemaphore 1
        { $semaphore.Acquire(-2) } | Should -Throw -ErrorId 'InvalidTimeout*'
    }

    It 'is process-wide by name; another count is a LockNameConflict' {
        $name = "pool-$([guid]::NewGuid())"
        $first = New-ThreadSemaphore 2 -Name $name
        [object]::ReferenceEquals($first, (New-ThreadSemaphore 2 -Name $name)) | Should -BeTrue
        $fromWorker = Start-WorkerThread { param($n) (New-ThreadSemaphore 2 -Name $n).Name } -ArgumentList $name | Wait-WorkerThread -Timeout 20
        $fromWorker | Should -Be $name
        { New-ThreadSemaphore 3 -Name $name } | Should -Throw -ErrorId 'LockNameConflict,*'
        { New-ThreadLock -Name $name } | Should -Throw -ErrorId 'LockNameConflict,*'
    }

    It 'lets one waiting worker through per release' {
        $semaphore = New-ThreadSemaphore 1
        $null = $semaphore.Acquire()
        $through = [hashtable]::Synchronized(@{ n = 0 })
        $workers = 1..2 | ForEach-Object {
            Start-WorkerThread { param($s, $t) $null = $s.Acquire(); $t.n++ } -ArgumentList $semaphore, $through
        }
        $waiting = { @(Get-ActiveThread | Where-Object { [object]::ReferenceEquals($_.WaitingFor, $semaphore) }).Count }
        Wait-Until { (& $waiting) -eq 2 } -Seconds 20
        $through.n | Should -Be 0
        $semaphore.Release()
        Wait-Until { $through.n -ge 1 } -Seconds 10
        # The other worker still waits for the semaphore: one release let one through.
        & $waiting | Should -Be 1
        $through.n | Should -Be 1
        $semaphore.Release()
        $workers | Wait-WorkerThread -Timeout 20
        $through.n | Should -Be 2
    }

    It 'never has more than its count inside with Invoke-WithLock from 5 workers' {
        $semaphore = New-ThreadSemaphore 2
        $state = [hashtable]::Synchronized(@{ inside = 0; most = 0 })
        $workers = 1..5 | ForEach-Object {
            Start-WorkerThread {
                param($s, $state)
                for ($i = 0; $i -lt 20; $i++) {
                    Invoke-WithLock $s {
                        # A plain Monitor guards the tally itself, so only the semaphore limits who is inside.
                        [System.Threading.Monitor]::Enter($state)
                        try { $state.inside++; if ($state.inside -gt $state.most) { $state.most = $state.inside } }
                        finally { [System.Threading.Monitor]::Exit($state) }
                        Start-Sleep -Milliseconds 5
                        [System.Threading.Monitor]::Enter($state)
                        try { $state.inside-- } finally { [System.Threading.Monitor]::Exit($state) }
                    }
                }
            } -ArgumentList $semaphore, $state
        }
        $workers | Wait-WorkerThread -Timeout 60
        $state.most | Should -BeLessOrEqual 2
        $state.most | Should -BeGreaterOrEqual 1
        $semaphore.CurrentCount | Should -Be 2
    }
}

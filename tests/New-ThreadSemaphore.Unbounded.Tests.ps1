BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'New-ThreadSemaphore -Unbounded and Release(n)' {
    AfterEach { Stop-LeftoverWorker }

    It 'an unbounded semaphore lets releases add permits; -Count 0 is allowed with it only' {
        $semaphore = New-ThreadSemaphore -Count 0 -Unbounded
        $semaphore.IsBounded | Should -BeFalse
        $semaphore.Acquire(0) | Should -BeFalse
        $semaphore.Release()
        $semaphore.Release()
        $semaphore.CurrentCount | Should -Be 2
        $semaphore.Acquire(0) | Should -BeTrue
        $semaphore.Acquire(0) | Should -BeTrue
        $semaphore.Acquire(0) | Should -BeFalse
        (New-ThreadSemaphore 1).IsBounded | Should -BeTrue
        { New-ThreadSemaphore -Count 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { New-ThreadSemaphore -Count -1 -Unbounded } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'Release(n) lets n waiters through at once, on an unbounded semaphore of 0' {
        $signal = New-ThreadSemaphore -Count 0 -Unbounded
        $waiters = 1..3 | ForEach-Object { Start-WorkerThread -ArgumentList $signal { param($s) $s.Acquire(30) } }
        Wait-Until { @(Get-ActiveThread | Where-Object { [object]::ReferenceEquals($_.WaitingFor, $signal) }).Count -eq 3 } -Seconds 20
        $signal.Release(3)
        $waiters | Wait-WorkerThread -Timeout 20 | Should -Be $true, $true, $true
    }

    It 'Release(n) on a bounded semaphore gives back n, and refuses more than are taken, releasing none' {
        $semaphore = New-ThreadSemaphore 3
        1..3 | ForEach-Object { $null = $semaphore.Acquire() }
        $semaphore.Release(2)
        $semaphore.CurrentCount | Should -Be 2
        { $semaphore.Release(2) } | Should -Throw -ErrorId 'SemaphoreOverRelease*'
        $semaphore.CurrentCount | Should -Be 2
        $semaphore.Release(1)
        $semaphore.CurrentCount | Should -Be 3
    }

    It 'a named semaphore asked again with the other kind is LockNameConflict' {
        $name = "signal-$([guid]::NewGuid())"
        $null = New-ThreadSemaphore 0 -Unbounded -Name $name
        { New-ThreadSemaphore 0 -Name $name } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { New-ThreadSemaphore 1 -Name $name } | Should -Throw -ErrorId 'LockNameConflict,*' -ExpectedMessage '*unbounded*'
    }

    It 'refuses, with SemaphoreOverRelease, a release past [int]::MaxValue permits, and keeps its count' {
        # Issue 20: the count wrapped to -2147483648; then Acquire(0) was $false and an untimed Acquire waited forever.
        $semaphore = New-ThreadSemaphore -Count ([int]::MaxValue) -Unbounded
        { $semaphore.Release() } | Should -Throw -ErrorId 'SemaphoreOverRelease*' -ExpectedMessage '*2147483647*'
        $semaphore.CurrentCount | Should -Be ([int]::MaxValue)
        $semaphore.Acquire(0) | Should -BeTrue
        $semaphore.Release()
        { $semaphore.Release(2) } | Should -Throw -ErrorId 'SemaphoreOverRelease*'
        $semaphore.CurrentCount | Should -Be ([int]::MaxValue)
        $semaphore.Acquire() | Should -BeTrue
    }

    It 'Release(n) takes as long for n = 2e8 or [int]::MaxValue as for 1' {
        $semaphore = New-ThreadSemaphore -Count 0 -Unbounded
        # One permit at a time, Release(2e8) took 1.1-3.3 s here; the bound is generous for a loaded machine.
        $took = Measure-Command { $semaphore.Release(2e8); $semaphore.Release([int]::MaxValue - 2e8) }
        $took.TotalSeconds | Should -BeLessThan 2
        $semaphore.CurrentCount | Should -Be ([int]::MaxValue)
        { $semaphore.Release(1) } | Should -Throw -ErrorId 'SemaphoreOverRelease*'
        $semaphore.CurrentCount | Should -Be ([int]::MaxValue)
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'WaitStop.ps1') }
# Concurrency

Describe 'New-ThreadBarrier' {
    AfterEach { Stop-LeftoverWorker }

    It 'lets Parties threads through together, round after round, with indexes 0..Parties-1' {
        $barrier = New-ThreadBarrier -Parties 3
        $barrier.Parties | Should -Be 3
        $workers = 1..2 | ForEach-Object { Start-WorkerThread -ArgumentList $barrier { param($b) 1..3 | ForEach-Object { $b.Wait(30) } } }
        $mine = 1..3 | ForEach-Object { $barrier.Wait(30) }
        $theirs = $workers | Wait-WorkerThread -Timeout 30
        for ($round = 0; $round -lt 3; $round++) {
            $indexes = @($mine[$round]) + @($theirs | Select-Object -Skip $round -First 1) + @($theirs | Select-Object -Skip (3 + $round) -First 1)
            ($indexes | Sort-Object) | Should -Be 0, 1, 2
        }
        $barrier.IsBroken | Should -BeFalse
    }

    It 'a wait that times out breaks it for every waiter and later waits, until Reset()' {
        $barrier = New-ThreadBarrier -Parties 3 -Timeout 30
        $other = Start-WorkerThread -ArgumentList $barrier { param($b) try { $b.Wait(); 'passed' } catch { $_.FullyQualifiedErrorId } }
        Wait-Until { $barrier.Waiting -eq 1 } -Seconds 20
        { $barrier.Wait(0.2) } | Should -Throw -ErrorId 'BarrierBroken*'
        $other | Wait-WorkerThread -Timeout 20 | Should -Be 'BarrierBrokenException'
        $barrier.IsBroken | Should -BeTrue
        { $barrier.Wait(1) } | Should -Throw -ErrorId 'BarrierBroken*'
        $barrier.Reset()
        $barrier.IsBroken | Should -BeFalse
        (New-ThreadBarrier -Parties 1).Wait() | Should -Be 0
    }

    It 'Abort() fails the waiters with BarrierBroken' {
        $barrier = New-ThreadBarrier -Parties 2
        $other = Start-WorkerThread -ArgumentList $barrier { param($b) try { $b.Wait(30) } catch { $_.FullyQualifiedErrorId } }
        Wait-Until { $barrier.Waiting -eq 1 } -Seconds 20
        $barrier.Abort()
        $other | Wait-WorkerThread -Timeout 20 | Should -Be 'BarrierBrokenException'
    }

    It 'refuses Parties below 1' {
        { New-ThreadBarrier -Parties 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'Wait() in a worker ends at Stop-WorkerThread, and the barrier is broken' {
        $barrier = New-ThreadBarrier -Parties 2
        Test-StopEndsWait $barrier { param($b) $null = $b.Wait() } | Should -BeLessThan 3
        $barrier.IsBroken | Should -BeTrue
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'WaitStop.ps1') }
# Concurrency

# Every blocking member of the toolbox ends at Ctrl+C on the console's main thread (SIGINT to a child pwsh,
# which pwsh treats as Ctrl+C) within a second, stops the script there, and does not crash pwsh; and at
# Stop-WorkerThread in a worker.
Describe 'Toolbox waits end on Ctrl+C' {
    It '<Member> ends at SIGINT on the main thread' -Skip:($IsWindows) -TestCases @(
        @{ Member = 'Event.Wait(seconds)'; Setup = '$e = New-ThreadEvent'; Wait = '$null = $e.Wait(600)' }
        @{ Member = 'Condition.Wait()'; Setup = '$c = New-ThreadCondition'; Wait = 'Invoke-WithLock $c { $null = $c.Wait() }' }
        @{ Member = 'Condition.WaitFor()'; Setup = '$c = New-ThreadCondition'; Wait = 'Invoke-WithLock $c { $null = $c.WaitFor({ $false }, 600) }' }
        @{ Member = 'Barrier.Wait()'; Setup = '$b = New-ThreadBarrier -Parties 2'; Wait = '$null = $b.Wait()' }
        @{ Member = 'Queue.Take(seconds)'; Setup = '$q = New-ThreadQueue'; Wait = '$null = $q.Take(600)' }
        @{ Member = 'Queue.Add() when full'; Setup = '$q = New-ThreadQueue -Capacity 1; $null = $q.Add(1)'; Wait = '$null = $q.Add(2)' }
        @{ Member = 'Queue.Join()'; Setup = '$q = New-ThreadQueue; $null = $q.Add(1)'; Wait = '$null = $q.Join()' }
        @{ Member = 'Send-ThreadQueue when full'; Setup = '$q = New-ThreadQueue -Capacity 1'; Wait = '1..3 | Send-ThreadQueue $q' }
    ) {
        Test-SigintEndsWait $Setup $Wait
    }

    It 'Condition.WaitFor() in a worker ends at Stop-WorkerThread' {
        $cv = New-ThreadCondition
        Test-StopEndsWait $cv { param($c) Invoke-WithLock $c { $null = $c.WaitFor({ $false }) } } | Should -BeLessThan 3
    }
}

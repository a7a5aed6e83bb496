BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'WaitStop.ps1') }
# Concurrency

Describe 'New-ThreadEvent' {
    AfterEach { Stop-LeftoverWorker }

    It 'is a clear ThreadEvent; Set, IsSet and Clear work; -Set starts it set' {
        $event = New-ThreadEvent
        $event | Should -BeOfType ([PSThreading.Core.Sync.ThreadEvent])
        $event.Kind | Should -Be 'Event'
        $event.Name | Should -Match '^Event-\d+$'
        $event.IsSet | Should -BeFalse
        $event.Set(); $event.IsSet | Should -BeTrue
        $event.Clear(); $event.IsSet | Should -BeFalse
        (New-ThreadEvent -Set).IsSet | Should -BeTrue
    }

    It 'Wait() after Set() returns $true at once; Wait(seconds) returns $false at the timeout' {
        $event = New-ThreadEvent -Set
        $event.Wait() | Should -BeTrue
        $event.Clear()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $event.Wait(0.3) | Should -BeFalse
        $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.2
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'releases every waiting thread with one Set()' {
        $event = New-ThreadEvent
        $workers = 1..4 | ForEach-Object { Start-WorkerThread -ArgumentList $event { param($e) $e.Wait(30) } }
        Wait-Until { $event.Waiters.Count -eq 4 } -Seconds 20
        $event.Set()
        $workers | Wait-WorkerThread -Timeout 20 | Should -Be $true, $true, $true, $true
    }

    It 'refuses a negative timeout other than -1, or NaN (InvalidTimeout)' -TestCases @(@{ Seconds = -2 }, @{ Seconds = [double]::NaN }) {
        param($Seconds)
        { (New-ThreadEvent).Wait($Seconds) } | Should -Throw -ErrorId 'InvalidTimeout*'
    }

    It 'is found by name in another runspace, and its name cannot also be a lock (LockNameConflict)' {
        $name = "ready-$([guid]::NewGuid())"
        $event = New-ThreadEvent -Name $name
        $worker = Start-WorkerThread -ArgumentList $name { param($n) (New-ThreadEvent -Name $n).Wait(30) }
        Wait-Until { $event.Waiters.Count -eq 1 } -Seconds 20
        $event.Set()
        $worker | Wait-WorkerThread -Timeout 20 | Should -BeTrue
        { New-ThreadLock -Name $name } | Should -Throw -ErrorId 'LockNameConflict,*' -ExpectedMessage '*Event*'
        { New-ThreadEvent -Name (New-ThreadLock -Name "l-$name").Name } | Should -Throw -ErrorId 'LockNameConflict,*'
    }

    It 'shows as one line with name, kind, state and who waits' {
        $event = New-ThreadEvent -Name "shown-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $worker = Start-WorkerThread -ArgumentList $event { param($e) $e.Wait(30) }
        Wait-Until { $event.Waiters.Count -eq 1 } -Seconds 20
        $text = $event | Out-String -Width 80
        $text | Should -Match "$($event.Name)\s+Event\s+clear\s+$($worker.Name) \($($worker.ManagedThreadId)\)"
        $event.Set()
    }

    It 'Wait() in a worker ends at Stop-WorkerThread within a second, shown as waiting for the event' {
        $event = New-ThreadEvent -Name "stop-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        Test-StopEndsWait $event { param($e) $null = $e.Wait(); 'went on' } | Should -BeLessThan 3
    }

    It 'Wait() on the main thread ends at SIGINT (Ctrl+C) within a second, without crashing' -Skip:($IsWindows) {
        Test-SigintEndsWait '$e = New-ThreadEvent' '$null = $e.Wait()'
    }
}

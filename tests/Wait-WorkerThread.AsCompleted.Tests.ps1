BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Wait-WorkerThread -AsCompleted (as_completed)' {
    AfterEach { Stop-LeftoverWorker }

    BeforeAll {
        # Each thread waits for its own event, so the test sets the order in which they end.
        function Start-Ordered([object[]] $Events) {
            foreach ($event in $Events) { Start-WorkerThread -ArgumentList $event { param($e) $null = $e.Wait(30); $e.Name } }
        }
    }

    It 'writes each thread''s output in the order they end; the default keeps the given order' {
        $events = 'a', 'b', 'c' | ForEach-Object { New-ThreadEvent -Name "order-$_-$([guid]::NewGuid())" }
        $threads = @(Start-Ordered $events)
        foreach ($i in 2, 0, 1) {
            $events[$i].Set()
            Wait-Until { -not $threads[$i].IsAlive } -Seconds 20
        }
        $threads | Wait-WorkerThread -AsCompleted -Timeout 20 | Should -Be $events[2].Name, $events[0].Name, $events[1].Name

        $events = 'a', 'b' | ForEach-Object { New-ThreadEvent -Name "given-$_-$([guid]::NewGuid())" }
        $threads = @(Start-Ordered $events)
        $events[1].Set(); Wait-Until { -not $threads[1].IsAlive } -Seconds 20
        $events[0].Set()
        $threads | Wait-WorkerThread -Timeout 20 | Should -Be $events[0].Name, $events[1].Name
    }

    It 'writes as each ends, before the others have; with -PassThru, the threads in that order' {
        $events = 'a', 'b' | ForEach-Object { New-ThreadEvent -Name "live-$_-$([guid]::NewGuid())" }
        $threads = @(Start-Ordered $events)
        $events[1].Set()
        $seen = [Collections.Generic.List[string]]::new()
        $threads | Wait-WorkerThread -AsCompleted -PassThru -Timeout 20 | ForEach-Object {
            $seen.Add("$($_.Name) alive: $($threads[0].IsAlive)")
            $events[0].Set()
        }
        $seen | Should -Be "$($threads[1].Name) alive: True", "$($threads[0].Name) alive: False"
    }

    It 'with -Timeout, writes the threads that ended in time only' {
        $events = 'a', 'b' | ForEach-Object { New-ThreadEvent -Name "timeout-$_-$([guid]::NewGuid())" }
        $threads = @(Start-Ordered $events)
        $events[0].Set()
        $threads | Wait-WorkerThread -AsCompleted -Timeout 0.5 | Should -Be $events[0].Name
        $events[1].Set()
    }
}

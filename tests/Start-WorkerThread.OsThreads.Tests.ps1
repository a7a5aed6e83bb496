BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Issue 26, start+join: a worker runs on an OS thread an earlier worker left parked, instead of waiting for a new one
# to start, and a start and join in a loop keeps a spare runspace so that no worker waits for the last one's to be
# cleaned. These tests hold what a new thread gave each worker and what the reuse must not change.
Describe 'Start-WorkerThread: OS threads and runspaces kept between workers' {
    AfterEach { Stop-LeftoverWorker }

    It 'runs workers one after another on a few parked OS threads, not a new one each (Linux thread ids)' -Skip:(-not (Test-Path /proc/thread-self)) {
        # Kernel thread ids are not handed out again soon, unlike .NET managed ids: each new OS thread has a new one.
        $ids = for ($i = 0; $i -lt 20; $i++) {
            Start-WorkerThread { (Get-Item /proc/thread-self).Target } | Wait-WorkerThread
        }
        $ids | Should -HaveCount 20
        # A few new ones are fair: a thread still cleaning its worker's runspace is not parked yet, and in a process
        # that earlier tests used, parked threads whose ids belong to workers with unread output are ended first.
        @($ids | Sort-Object -Unique).Count | Should -BeLessOrEqual 8 -Because "20 workers ran on: $(@($ids | Sort-Object -Unique) -join ', ')"
    }

    It 'gives each worker its own name on a reused thread, and its own id while it runs' {
        $threads = foreach ($name in 'first', 'second', 'third') {
            $thread = Start-WorkerThread { [Threading.Thread]::CurrentThread.Name; [Environment]::CurrentManagedThreadId } -Name "ost-$name"
            $name, $id = $thread | Wait-WorkerThread
            $name | Should -Be $thread.Name
            $id | Should -Be $thread.ManagedThreadId
            $thread
        }
        $threads.State | Should -Be @('Completed', 'Completed', 'Completed')
    }

    It 'does not give the thread of a worker that ended with unread output to the next worker: each id finds one thread' {
        $unread = Start-WorkerThread { 'not read yet' }
        Wait-Until { -not $unread.IsAlive }
        $event = New-ThreadEvent
        $next = @(for ($i = 0; $i -lt 3; $i++) { Start-WorkerThread { param($e) $null = $e.Wait(30) } -ArgumentList $event })
        try {
            $next.ManagedThreadId | Should -Not -Contain $unread.ManagedThreadId
            $found = @(Get-ActiveThread -Id $unread.ManagedThreadId)
            $found | Should -HaveCount 1
            $found[0].Name | Should -Be $unread.Name
            foreach ($thread in $next) { @(Get-ActiveThread -Id $thread.ManagedThreadId).Name | Should -Be $thread.Name }
            @(Wait-WorkerThread -Id $unread.ManagedThreadId) | Should -Be 'not read yet'
        }
        finally {
            $event.Set()
            $null = $next | Wait-WorkerThread -Timeout 30
        }
    }

    It 'spends a Thread.Interrupt a worker left pending: the next workers on its thread wait and sleep as usual' {
        $null = Start-WorkerThread { [Threading.Thread]::CurrentThread.Interrupt() } | Wait-WorkerThread -ErrorAction SilentlyContinue
        $results = for ($i = 0; $i -lt 6; $i++) {
            $thread = Start-WorkerThread { Start-Sleep -Milliseconds 5; [Threading.Thread]::Sleep(5); 'slept' }
            $thread | Wait-WorkerThread -ErrorAction SilentlyContinue
            $thread.State
        }
        $results | Should -Be (@('slept', 'Completed') * 6)
    }

    It 'does not pass a culture one worker set to the next worker on its thread' {
        $caller = [cultureinfo]::CurrentCulture.Name
        $other = if ($caller -eq 'de-DE') { 'fr-FR' } else { 'de-DE' }
        $null = Start-WorkerThread { param($c) [cultureinfo]::CurrentCulture = $c; [Threading.Thread]::CurrentThread.CurrentUICulture = $c } -ArgumentList $other | Wait-WorkerThread
        $seen = for ($i = 0; $i -lt 4; $i++) {
            Start-WorkerThread { [cultureinfo]::CurrentCulture.Name } | Wait-WorkerThread
        }
        $seen | Should -Be (@($caller) * 4)
    }

    It 'keeps the process alive for a non-daemon worker on a reused thread until it ends (child pwsh)' {
        # The worker's thread was parked (a background thread) before this worker: it is made a foreground one for it.
        $marker = Join-Path ([IO.Path]::GetTempPath()) "psthreading-ost-$([guid]::NewGuid().ToString('n'))"
        $run = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @"
`$null = Start-WorkerThread { 1 } | Wait-WorkerThread
`$null = Start-WorkerThread { Start-Sleep -Milliseconds 800; Set-Content -Path '$marker' -Value 'finished' }
'started'
"@
        try {
            $run.ExitCode | Should -Be 0
            $run.Output | Should -Contain 'started'
            Get-Content -Path $marker -ErrorAction SilentlyContinue | Should -Be 'finished' -Because 'the exit waited for the non-daemon worker'
        }
        finally {
            Remove-Item -Path $marker -ErrorAction Ignore
        }
    }

    It 'keeps a spare runspace for a start-and-join loop, and no more than a few (child pwsh)' {
        $run = Invoke-ChildPwsh -TimeoutSeconds 120 -Script @'
for ($i = 0; $i -lt 60; $i++) { $null = Start-WorkerThread { 1 } | Wait-WorkerThread }
Start-Sleep -Milliseconds 300
@(Get-Runspace | Where-Object Name -EQ 'PSThreading').Count
'@
        $run.ExitCode | Should -Be 0
        # One runspace alone makes each worker wait for the last one's cleaning; the idle limit here is 4.
        [int] $run.Output[-1] | Should -BeGreaterOrEqual 2
        [int] $run.Output[-1] | Should -BeLessOrEqual 4
    }

    It 'ends the parked OS threads of workers on Remove-Module (child pwsh)' {
        $run = Invoke-ChildPwsh -TimeoutSeconds 60 -Script ($ChildThreadCounters + @'
$null = 1..3 | ForEach-Object { Start-WorkerThread { Start-Sleep -Milliseconds 200 } } | Wait-WorkerThread
$deadline = [datetime]::UtcNow.AddSeconds(10)
while ($workerCounter.GetValue($null) -lt 3 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
$parked = $workerCounter.GetValue($null)
Remove-Module PSThreading
$deadline = [datetime]::UtcNow.AddSeconds(10)
while ($workerCounter.GetValue($null) -gt 0 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
"$parked -> $($workerCounter.GetValue($null))"
'@)
        $run.ExitCode | Should -Be 0
        $run.Output[-1] | Should -Be '3 -> 0'
    }
}

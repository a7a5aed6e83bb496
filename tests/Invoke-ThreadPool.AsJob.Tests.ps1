BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Invoke-ThreadPool -AsJob: the call runs on a worker thread, returned at once inside a job, joined and stopped like any thread.
Describe 'Invoke-ThreadPool -AsJob' {
    AfterEach {
        Stop-LeftoverWorker
    }

    It 'returns at once a job whose worker thread is listed by Get-ActiveThread with its pool workers' {
        # The items wait for the test: a call that did not return at once would return only after their 20 s waits.
        $gate = New-ThreadEvent
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job = 1..4 | Invoke-ThreadPool { $null = ($using:gate).Wait(20); $_ } -AsJob -ThrottleLimit 2
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        # A PowerShell job (Invoke-ThreadPool.Job.Tests.ps1) that stands for its thread wherever one is taken.
        $job | Should -BeOfType ([System.Management.Automation.Job])
        $job.Thread | Should -BeOfType ([PSThreading.Core.Threads.WorkerThread])
        $job.Thread.Kind | Should -Be 'Worker'
        $job.IsAlive | Should -BeTrue
        (Get-ActiveThread).ManagedThreadId | Should -Contain $job.ManagedThreadId
        Wait-Until { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -ge 2 } -Seconds 20
        $gate.Set()
        $job | Wait-WorkerThread -Timeout 30 | Sort-Object | Should -Be 1, 2, 3, 4
    }

    It 'writes the output at the join, in input order with -Ordered, with $using: and -ArgumentList values' {
        $factor = 10
        $job = 5, 1, 4, 2, 3 | Invoke-ThreadPool {
            param($offset)
            Start-Sleep -Milliseconds (20 * $_)
            $_ * $using:factor + $offset
        } -ArgumentList 1 -Ordered -AsJob
        $job | Wait-WorkerThread -Timeout 30 | Should -Be @(51, 11, 41, 21, 31)
        $job.State | Should -Be 'Completed'
    }

    It 'carries -Begin and -End with their $using: values, and -Function, from the caller' {
        function Get-JobTag { param($n) "tag$n" }
        $prefix = 'p'
        $job = 1..3 | Invoke-ThreadPool -Begin { $start = $using:prefix } -End { "end:$using:prefix" } -Function Get-JobTag {
            $start + (Get-JobTag $_)
        } -ThrottleLimit 1 -Ordered -AsJob
        $out = $job | Wait-WorkerThread -Timeout 30
        $out | Should -Be @('ptag1', 'ptag2', 'ptag3', 'end:p')
        $job.State | Should -Be 'Completed'
    }

    It 'takes -InputObject given directly, each element an item' {
        $job = Invoke-ThreadPool -InputObject @(1, 2, 3) { $_ * 2 } -AsJob
        $job | Wait-WorkerThread -Timeout 30 | Sort-Object | Should -Be @(2, 4, 6)
    }

    It 'brings the errors of items to the join as error records with the item as TargetObject' {
        $job = 1..3 | Invoke-ThreadPool { if ($_ -eq 2) { throw "item $_ failed" }; $_ } -AsJob
        $out = $job | Wait-WorkerThread -Timeout 30 -ErrorVariable failed -ErrorAction SilentlyContinue
        $out | Sort-Object | Should -Be @(1, 3)
        $failed.Count | Should -Be 1
        $failed[0].TargetObject | Should -Be 2
        $failed[0].Exception.Message | Should -Be 'item 2 failed'
    }

    It 'honours -ThrottleLimit inside the job' {
        $state = [hashtable]::Synchronized(@{ Running = 0; Peak = 0 })
        $job = 1..6 | Invoke-ThreadPool {
            $s = $using:state
            [Threading.Monitor]::Enter($s.SyncRoot)
            try { $s.Running++; if ($s.Running -gt $s.Peak) { $s.Peak = $s.Running } } finally { [Threading.Monitor]::Exit($s.SyncRoot) }
            Start-Sleep -Milliseconds 200
            [Threading.Monitor]::Enter($s.SyncRoot)
            try { $s.Running-- } finally { [Threading.Monitor]::Exit($s.SyncRoot) }
        } -ThrottleLimit 2 -AsJob
        $null = $job | Wait-WorkerThread -Timeout 60
        $state.Peak | Should -Be 2
    }

    It 'reports -Timeout and -ItemTimeout at the join with their error ids' {
        $call = 1..3 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -Timeout 0.5 -AsJob
        $item = 1..2 | Invoke-ThreadPool { if ($_ -eq 1) { Start-Sleep -Seconds 30 }; $_ } -ItemTimeout 0.5 -AsJob
        $null = $call | Wait-WorkerThread -Timeout 30 -ErrorVariable callErrors -ErrorAction SilentlyContinue
        $itemOut = $item | Wait-WorkerThread -Timeout 30 -ErrorVariable itemErrors -ErrorAction SilentlyContinue
        $callErrors.FullyQualifiedErrorId | Should -Contain 'PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
        $itemErrors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimeout,*'
        $itemErrors[0].TargetObject | Should -Be 1
        $itemOut | Should -Be 2
        $call.RunningTime.TotalSeconds | Should -BeLessThan 10
    }

    It 'is joined with -Timeout, -Any and -AsCompleted like any thread' {
        $slow = 1 | Invoke-ThreadPool { Start-Sleep -Seconds 2; 'slow' } -AsJob
        $fast = 1 | Invoke-ThreadPool { 'fast' } -AsJob
        $slow | Wait-WorkerThread -Timeout 0.2 | Should -BeNullOrEmpty
        $slow.IsAlive | Should -BeTrue
        Wait-WorkerThread -Thread $slow, $fast -Any -Timeout 30 | Should -Be 'fast'
        $both = (1 | Invoke-ThreadPool { Start-Sleep -Milliseconds 1500; 'second' } -AsJob), (1 | Invoke-ThreadPool { 'first' } -AsJob)
        Wait-WorkerThread -Thread $both -AsCompleted -Timeout 30 | Should -Be @('first', 'second')
        $slow | Wait-WorkerThread -Timeout 30 | Should -Be 'slow'
    }

    It 'stops the call and its items at Stop-WorkerThread, within 5 s (about 1 s unloaded)' {
        $job = 1..100 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -ThrottleLimit 4 -AsJob
        Wait-Until { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -ge 4 } -Seconds 20
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job | Stop-WorkerThread -WarningAction SilentlyContinue
        Wait-Until { -not $job.IsAlive } -Seconds 10
        Write-Host ("    figures: the stopped job ended {0:N2} s after Stop-WorkerThread began" -f $clock.Elapsed.TotalSeconds)
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $job.State | Should -Be 'Stopped'
        # Items stopped, not left running: the pool's workers park (not listed) once their item ends.
        Wait-Until { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -eq 0 } -Seconds 10
    }

    It 'refuses bad input before any thread starts' {
        $before = @(Get-ActiveThread).Count
        { 1..3 | Invoke-ThreadPool { $using:notSetAnywhere } -AsJob } | Should -Throw -ErrorId 'UsingVariableUndefined,PSThreading.Commands.InvokeThreadPoolCommand'
        { 1..3 | Invoke-ThreadPool { $_ } -AsJob -ArgumentList @{ Block = { 1 } } } | Should -Throw -ErrorId 'ScriptBlockInContainer,PSThreading.Commands.InvokeThreadPoolCommand'
        @(Get-ActiveThread).Count | Should -Be $before
    }

    It 'leaks no runspace or thread over 20 stopped and 20 joined jobs (child pwsh)' {
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script ($ChildThreadCounters + @'
function Get-Figures {
    [pscustomobject]@{
        Runspaces = @(Get-Runspace).Count
        Threads = @(Get-ActiveThread | Where-Object Kind -NE 'Main').Count
        WorkerOsThreads = $workerCounter.GetValue($null)
        PoolOsThreads = $poolCounter.GetValue($null)
    }
}
function Invoke-Load([int] $Count) {
    for ($i = 0; $i -lt $Count; $i++) {
        $job = 1..20 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -ThrottleLimit 4 -AsJob
        while (@(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -lt 1) { Start-Sleep -Milliseconds 20 }
        $job | Stop-WorkerThread -WarningAction SilentlyContinue
        $deadline = [datetime]::UtcNow.AddSeconds(10)
        while ($job.IsAlive -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        if ($job.State -ne 'Stopped') { throw "job $i ended $($job.State)" }
        $null = 1..4 | Invoke-ThreadPool { $_ } -ThrottleLimit 4 -AsJob | Wait-WorkerThread -Timeout 30
    }
}
Invoke-Load 2
Start-Sleep -Milliseconds 500
$baseline = Get-Figures
Invoke-Load 20
$after = Get-Figures
$deadline = [datetime]::UtcNow.AddSeconds(10)
while (($after.Runspaces -gt $baseline.Runspaces + 2 -or $after.Threads -gt $baseline.Threads -or
        $after.WorkerOsThreads -gt $baseline.WorkerOsThreads + 2 -or $after.PoolOsThreads -gt 16) -and [datetime]::UtcNow -lt $deadline) {
    Start-Sleep -Milliseconds 500
    $after = Get-Figures
}
[pscustomobject]@{ Baseline = $baseline; After = $after } | ConvertTo-Json -Compress
'@)
        $run.ExitCode | Should -Be 0
        $figures = $run.Output[-1] | ConvertFrom-Json
        Write-Host ("    figures: runspaces {0} -> {1}; listed threads {2} -> {3}; worker OS threads {4} -> {5}; pool OS threads {6} -> {7}" -f `
            $figures.Baseline.Runspaces, $figures.After.Runspaces, $figures.Baseline.Threads, $figures.After.Threads,
            $figures.Baseline.WorkerOsThreads, $figures.After.WorkerOsThreads, $figures.Baseline.PoolOsThreads, $figures.After.PoolOsThreads)
        $figures.After.Runspaces | Should -BeLessOrEqual ($figures.Baseline.Runspaces + 2)
        $figures.After.Threads | Should -BeLessOrEqual $figures.Baseline.Threads
        $figures.After.WorkerOsThreads | Should -BeLessOrEqual ($figures.Baseline.WorkerOsThreads + 2)
        $figures.After.PoolOsThreads | Should -BeLessOrEqual 16
    }
}

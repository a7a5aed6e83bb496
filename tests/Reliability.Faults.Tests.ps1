BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# pwsh never crashes: every exception on a worker, from script or from .NET, comes back to the caller as an
# error record (a pool item's, or a Failed thread's), exactly once, with its original type and message.
Describe 'Reliability: faults on workers' {
    AfterEach { Stop-LeftoverWorker }

    It 'brings back 10,000 exceptions thrown across pool items and worker threads, each once, type and message intact' {
        $poolItems = 9800
        $threadCount = 200
        # Four kinds: a script throw, a .NET exception thrown by script, and two .NET methods failing.
        # PowerShell wraps a failing .NET call in MethodInvocationException, as it does in the caller:
        # the original is its InnerException.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = 1..$poolItems | Invoke-ThreadPool {
            $item = $_
            switch ($item % 4) {
                0 { throw "script $item" }
                1 { throw [System.IO.IOException]::new("io $item") }
                2 { $null = [int]::Parse("not a number $item") }
                3 { $null = [System.Linq.Enumerable]::First([int[]]@()) }
            }
            "not reached $item"
        } -ThrottleLimit 4 -NoProgress -ErrorVariable poolErrors -ErrorAction SilentlyContinue
        $poolSeconds = $clock.Elapsed.TotalSeconds

        $clock.Restart()
        $threads = 1..$threadCount | ForEach-Object {
            Start-WorkerThread -ArgumentList $_ -Name "fault-$_" {
                param($n)
                if ($n % 2) { throw [System.ArgumentException]::new("arg $n") }
                $null = [System.IO.File]::ReadAllText("/nonexistent-psthreading/$n")
            }
        }
        $null = $threads | Wait-WorkerThread -Timeout 120 -ErrorVariable threadErrors -ErrorAction SilentlyContinue
        $threadSeconds = $clock.Elapsed.TotalSeconds
        Write-Host ("    figures: {0:N0} pool-item exceptions in {1:N1} s, {2} worker-thread exceptions in {3:N1} s" -f `
            $poolErrors.Count, $poolSeconds, $threadErrors.Count, $threadSeconds)

        $out | Should -BeNullOrEmpty
        $poolErrors.Count | Should -Be $poolItems
        $threadErrors.Count | Should -Be $threadCount

        # Each pool item once, with the exception it threw. Checked in plain code: 30,000 Should calls take 15 s.
        $seen = @{}
        $wrong = [System.Collections.Generic.List[string]]::new()
        foreach ($record in $poolErrors) {
            $item = [int]$record.TargetObject
            if ($seen.ContainsKey($item)) { $wrong.Add("item $item reported twice") }
            $seen[$item] = $true
            $expected = switch ($item % 4) {
                0 { [System.Management.Automation.RuntimeException], "^script $item$" }
                1 { [System.IO.IOException], "^io $item$" }
                2 { [System.FormatException], "'not a number $item'" }
                3 { [System.InvalidOperationException], 'no elements' }
            }
            $original = if ($record.Exception -is [System.Management.Automation.MethodInvocationException]) { $record.Exception.InnerException } else { $record.Exception }
            if ($original.GetType() -ne $expected[0] -or $original.Message -notmatch $expected[1]) {
                $wrong.Add("item ${item}: $($original.GetType().Name) '$($original.Message)'")
            }
        }
        $wrong | Should -BeNullOrEmpty
        $seen.Count | Should -Be $poolItems

        # Each thread once: a throw fails the thread; a failing .NET call is an error the script wrote.
        foreach ($thread in $threads) {
            $n = [int]($thread.Name -replace 'fault-')
            if ($n % 2) {
                $thread.State | Should -Be 'Failed'
                $thread.Error | Should -BeOfType [System.ArgumentException]
                $thread.Error.Message | Should -Be "arg $n"
            }
            else {
                $thread.State | Should -Be 'Completed'
            }
        }
        @($threadErrors | Where-Object { $_.Exception -is [System.ArgumentException] }).Count | Should -Be ($threadCount / 2)
        $notFound = @($threadErrors | Where-Object { $_.Exception.InnerException -is [System.IO.DirectoryNotFoundException] })
        $notFound.Count | Should -Be ($threadCount / 2)
        @($notFound.Exception.InnerException.Message | Sort-Object -Unique).Count | Should -Be ($threadCount / 2)
    }

    It 'keeps pwsh alive through hostile workers (child pwsh)' {
        $run = Invoke-ChildPwsh -TimeoutSeconds 90 -Script @'
$threads = @(
    Start-WorkerThread { throw [System.StackOverflowException]::new('not a real one') }
    Start-WorkerThread { throw [System.OutOfMemoryException]::new('not a real one') }
    Start-WorkerThread { try { throw 'inner' } finally { throw 'from finally' } }
    Start-WorkerThread { exit 3 }
    Start-WorkerThread { $ErrorActionPreference = 'Stop'; Write-Error 'written, then stop' }
    Start-WorkerThread { [System.Threading.Thread]::CurrentThread.Abort() }
    Start-WorkerThread { [System.Environment]::SetEnvironmentVariable($null, 'x') }
    Start-WorkerThread { Start-WorkerThread { throw 'nested' } | Wait-WorkerThread -ErrorAction Stop }
    Start-WorkerThread { [System.Threading.Thread]::Sleep(2000) }
)
Start-Sleep -Milliseconds 200
$threads[-1] | Stop-WorkerThread -WarningAction SilentlyContinue
$null = 1..50 | Invoke-ThreadPool { if ($_ % 2) { throw "item $_" } else { [System.IO.Directory]::GetFiles("/nonexistent-psthreading/$_") } } -ErrorAction SilentlyContinue -NoProgress
$null = $threads | Wait-WorkerThread -Timeout 30 -ErrorAction SilentlyContinue
'states: ' + (($threads | ForEach-Object State) -join ',')
'exit: ' + $threads[3].State
'alive'
'@
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Contain 'alive'
        ($run.Output -match '^states: ') | Should -Not -Match 'Running'
        # exit in a worker ends that worker's script, not the process.
        $run.Output | Should -Contain 'exit: Completed'
    }
}

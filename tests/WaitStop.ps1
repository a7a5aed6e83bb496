# Shared by the toolbox test files: a blocking member ends at Stop-WorkerThread and at SIGINT (Ctrl+C) in a
# child pwsh, and shows what it waits for in Get-ActiveThread.

# Starts a worker that runs $Block (which blocks), stops it once Get-ActiveThread shows it waiting for
# $Target, and returns the seconds the stop took, after checking the worker ended Stopped.
function Test-StopEndsWait([object] $Target, [scriptblock] $Block) {
    $worker = Start-WorkerThread -ArgumentList $Target $Block
    Wait-Until { [object]::ReferenceEquals((Get-ActiveThread -Id $worker.ManagedThreadId).WaitingForObject, $Target) } -Seconds 20
    $shown = (Get-ActiveThread -Id $worker.ManagedThreadId | Out-String -Width 200)
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $worker | Stop-WorkerThread -WarningAction SilentlyContinue
    $seconds = $clock.Elapsed.TotalSeconds
    $worker.State | Should -Be 'Stopped'
    $shown | Should -Match "waiting for $($Target.Kind.ToLowerInvariant()) $([regex]::Escape($Target.Name))"
    $seconds
}

# Runs $Setup then $Wait on the main thread of a child pwsh, sends SIGINT once it blocks, and checks that the
# wait ended within a second and pwsh exited without crashing and without going on after the wait. "Blocks" is
# seen, not assumed: a daemon worker of the child writes the ready file once the main thread shows what it waits
# for (WaitingForObject, WaitingForThread) and its .NET thread is in a wait (WaitSleepJoin), which is after the
# wait listens for Ctrl+C. A fixed pause instead let a slow child get SIGINT before its wait began.
function Test-SigintEndsWait([string] $Setup, [string] $Wait) {
    $ready = Join-Path ([IO.Path]::GetTempPath()) "psthreading-tb-$([guid]::NewGuid().ToString('n'))"
    $ended, $after, $file = "$ready.ended", "$ready.after", "$ready.ps1"
    @"
Import-Module '$ModuleManifest'
$Setup
`$null = Start-WorkerThread -Daemon -ArgumentList (Get-ActiveThread -Main), ([Threading.Thread]::CurrentThread) {
    param(`$main, `$dotnet)
    while (-not ((`$main.WaitingForObject -or `$main.WaitingForThread) -and
            (`$dotnet.ThreadState -band [Threading.ThreadState]::WaitSleepJoin))) { Start-Sleep -Milliseconds 10 }
    [IO.File]::WriteAllText('$ready', 'ready')
}
try { $Wait } finally { [IO.File]::WriteAllText('$ended', [datetime]::UtcNow.Ticks.ToString()) }
[IO.File]::WriteAllText('$after', 'went on')
"@ | Set-Content $file
    $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file -PassThru -NoNewWindow
    try {
        Wait-Until { Test-Path $ready } -Seconds 60
        $sent = [datetime]::UtcNow
        & kill -s INT $process.Id
        $process.WaitForExit(10000) | Should -BeTrue
        $process.ExitCode | Should -Not -Be 134
        Test-Path $ended | Should -BeTrue
        ([datetime]::new([long](Get-Content $ended -Raw), 'Utc') - $sent).TotalSeconds | Should -BeLessThan 3 -Because 'a second when idle; a wait that missed Ctrl+C would never end'
        Test-Path $after | Should -BeFalse
    }
    finally {
        if (-not $process.HasExited) { $process.Kill($true) }
        Remove-Item $file, $ready, $ended, $after -ErrorAction Ignore
    }
}

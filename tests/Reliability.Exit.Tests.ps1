BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Python's exit rule, checked on real child pwsh processes: non-daemon threads are joined (from wherever they
# were started), daemon threads never hold the exit, and the exit code is 0, never 134 (a crash). Each child
# prints the time its script ended, so that the exit itself is timed apart from pwsh's start-up.
Describe 'Reliability: exit is clean' {
    BeforeAll {
        # Runs a script in a child pwsh (-File, or -Command with the text); returns output, standard error, exit code,
        # whether it had to be killed, and the seconds from the script's end to the process's exit.
        function Invoke-ExitChild {
            param([string] $Script, [int] $TimeoutSeconds = 60, [ValidateSet('File', 'Command')] [string] $Mode = 'File')
            $text = "Import-Module '$ModuleManifest'`n$Script`n[Console]::Out.WriteLine('script-end ' + [datetime]::UtcNow.Ticks)"
            $file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-exit-$([guid]::NewGuid().ToString('n')).ps1"
            Set-Content -Path $file -Value $text
            $info = [Diagnostics.ProcessStartInfo]::new($PwshPath)
            foreach ($argument in '-NoProfile', '-NonInteractive') { $info.ArgumentList.Add($argument) }
            if ($Mode -eq 'File') { $info.ArgumentList.Add('-File'); $info.ArgumentList.Add($file) }
            else { $info.ArgumentList.Add('-Command'); $info.ArgumentList.Add($text) }
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            $info.UseShellExecute = $false
            try {
                $process = [Diagnostics.Process]::Start($info)
                $stdout = $process.StandardOutput.ReadToEndAsync()
                $stderr = $process.StandardError.ReadToEndAsync()
                $timedOut = -not $process.WaitForExit($TimeoutSeconds * 1000)
                if ($timedOut) { $process.Kill($true); $process.WaitForExit() }
                $process.WaitForExit()
                $lines = @($stdout.Result -split '\r?\n' | Where-Object { $_ })
                $end = $lines | Where-Object { $_ -like 'script-end *' } | Select-Object -Last 1
                $exitSeconds = if ($end -and -not $timedOut) {
                    ($process.ExitTime.ToUniversalTime() - [datetime]::new([long]($end -split ' ')[1], 'Utc')).TotalSeconds
                }
                [pscustomobject]@{
                    Output = $lines; Errors = @($stderr.Result -split '\r?\n' | Where-Object { $_ })
                    ExitCode = $(if ($timedOut) { $null } else { $process.ExitCode }); TimedOut = $timedOut; ExitSeconds = $exitSeconds
                }
            }
            finally {
                Remove-Item $file -ErrorAction Ignore
            }
        }

        # Runs the same child again and again, at most $Runs times and for at most $Seconds; returns every run.
        function Invoke-ExitLoop([string] $Script, [int] $Runs, [int] $Seconds, [string] $Mode = 'File') {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            for ($i = 0; $i -lt $Runs -and ($i -lt 3 -or $clock.Elapsed.TotalSeconds -lt $Seconds); $i++) {
                Invoke-ExitChild -Script $Script -Mode $Mode -TimeoutSeconds 60
            }
        }

        function Format-Runs($Runs) {
            $codes = $Runs | Group-Object { if ($_.TimedOut) { 'hung' } else { $_.ExitCode } } | ForEach-Object { "$($_.Name) x$($_.Count)" }
            $slowest = ($Runs | Measure-Object ExitSeconds -Maximum).Maximum
            "{0} runs, exit codes: {1}; slowest exit {2:N1} s" -f @($Runs).Count, ($codes -join ', '), $slowest
        }
    }

    It 'exits with code 0, every time, when 16 busy daemon threads share a named lock' {
        $runs = Invoke-ExitLoop -Runs 12 -Seconds 40 -Script @'
$null = New-ThreadLock -Name 'exit-shared'
1..16 | ForEach-Object {
    $null = Start-WorkerThread -Daemon {
        $lock = New-ThreadLock -Name 'exit-shared'
        while ($true) { $null = $lock.Acquire(); try { $x = 0; foreach ($i in 1..100) { $x += $i } } finally { $lock.Release() } }
    }
}
Start-Sleep -Milliseconds 300
'@
        Write-Host "    figures: $(Format-Runs $runs)"
        $runs | ForEach-Object { $_.ExitCode | Should -Be 0 -Because ($_.Errors -join "`n") }
        $runs | ForEach-Object { $_.ExitSeconds | Should -BeLessThan 10 }
    }

    It 'exits with code 0 when the script ends with an unjoined worker still running (-<Mode>)' -TestCases @(
        @{ Mode = 'File' }, @{ Mode = 'Command' }
    ) {
        param($Mode)
        $runs = Invoke-ExitLoop -Mode $Mode -Runs 6 -Seconds 15 -Script @'
# Workers that end together, each leaving functions that its runspace's cleaning must remove, while pwsh
# closes: the cleaning raced the disposal of their runspaces.
1..16 | ForEach-Object {
    $null = Start-WorkerThread { foreach ($i in 1..30) { $null = New-Item -Path "function:f$i" -Value { 1 } }; Start-Sleep -Milliseconds 300 }
}
$null = Start-WorkerThread -Daemon { $x = 0; while ($true) { $x++ } }
'@
        Write-Host "    figures: $(Format-Runs $runs)"
        $runs | ForEach-Object { $_.ExitCode | Should -Be 0 -Because ($_.Errors -join "`n") }
    }

    It 'does not join or stop the main session''s threads when a runspace opened with the console host closes' {
        $run = Invoke-ExitChild -Script @'
$nonDaemon = Start-WorkerThread { Start-Sleep -Seconds 3 }
$daemon = Start-WorkerThread -Daemon { Start-Sleep -Seconds 30 }
$runspace = [runspacefactory]::CreateRunspace($Host)
$runspace.Open()
$ps = [powershell]::Create()
$ps.Runspace = $runspace
$null = $ps.AddScript("Import-Module '$((Get-Module PSThreading).Path)'; Start-WorkerThread { 1 } | Wait-WorkerThread").Invoke()
$clock = [Diagnostics.Stopwatch]::StartNew()
$ps.Dispose()
$runspace.Dispose()
'close-ms ' + $clock.ElapsedMilliseconds
'daemon ' + $daemon.State
'non-daemon ' + $nonDaemon.State
'@
        $run.ExitCode | Should -Be 0
        [int](($run.Output -match '^close-ms ' | Select-Object -First 1) -replace 'close-ms ') | Should -BeLessThan 1500
        $run.Output | Should -Contain 'daemon Running'
        $run.Output | Should -Contain 'non-daemon Running'
    }

    # The line is for a person who can press Ctrl+C: this child's input is redirected, so it stays silent
    # (CPython's test_join_nondaemon_on_shutdown: nothing on stderr). The tmux test below sees the line.
    It 'waits for the non-daemon threads silently when nobody is at the console, and exits with code 0 once they end' {
        $marker = Join-Path $TestDrive 'slow-writer.txt'
        $run = Invoke-ExitChild -Script @"
`$null = Start-WorkerThread -Name 'Slow-Writer' { Start-Sleep -Seconds 3; Set-Content -Path '$marker' -Value 'finished' }
"@
        $run.ExitCode | Should -Be 0
        Get-Content $marker -ErrorAction Ignore | Should -Be 'finished'
        $notice = @($run.Errors | Where-Object { $_ -match 'waiting for' })
        $notice.Count | Should -Be 0 -Because ($run.Errors -join "`n")
    }

    It 'releases the main thread''s locks before the join, so a non-daemon worker waiting for one finishes' {
        $marker = Join-Path $TestDrive 'waited-for-lock.txt'
        $run = Invoke-ExitChild -TimeoutSeconds 40 -Script @"
`$lock = New-ThreadLock -Name 'exit-held-by-main'
`$null = `$lock.Acquire()
`$null = Start-WorkerThread { Invoke-WithLock -Name 'exit-held-by-main' { Set-Content -Path '$marker' -Value 'got the lock' } }
Start-Sleep -Milliseconds 300
"@
        $run.TimedOut | Should -BeFalse -Because 'a worker waiting for the main thread''s lock deadlocked the exit'
        $run.ExitCode | Should -Be 0
        Get-Content $marker -ErrorAction Ignore | Should -Be 'got the lock'
    }

    It 'joins non-daemon threads started by a pool item, by another worker, and while the join runs' {
        $folder = Join-Path $TestDrive 'joined'
        $null = New-Item -ItemType Directory -Path $folder
        $script = @"
`$writer = { param(`$path) Start-Sleep -Seconds 1; Set-Content -Path `$path -Value 'written' }
`$null = 1 | Invoke-ThreadPool { `$null = Start-WorkerThread ([scriptblock]::Create(`$args[0])) -ArgumentList (Join-Path `$args[1] 'pool.txt') } -ArgumentList `$writer.ToString(), '<folder>' -NoProgress
`$null = Start-WorkerThread { `$null = Start-WorkerThread ([scriptblock]::Create(`$args[0])) -ArgumentList (Join-Path `$args[1] 'worker.txt') } -ArgumentList `$writer.ToString(), '<folder>'
`$null = Start-WorkerThread { Start-Sleep -Milliseconds 1500; `$null = Start-WorkerThread ([scriptblock]::Create(`$args[0])) -ArgumentList (Join-Path `$args[1] 'late.txt') } -ArgumentList `$writer.ToString(), '<folder>'
"@
        $lost = 0
        $clock = [Diagnostics.Stopwatch]::StartNew()
        for ($i = 0; $i -lt 6 -and ($i -lt 3 -or $clock.Elapsed.TotalSeconds -lt 35); $i++) {
            Remove-Item (Join-Path $folder '*') -ErrorAction Ignore
            $run = Invoke-ExitChild -Script ($script -replace '<folder>', $folder)
            $run.ExitCode | Should -Be 0 -Because ($run.Errors -join "`n")
            $missing = @('pool.txt', 'worker.txt', 'late.txt' | Where-Object { -not (Test-Path (Join-Path $folder $_)) })
            if ($missing) { $lost++ }
            $missing | Should -BeNullOrEmpty -Because "run $($i + 1) lost the files of workers it should have joined"
        }
        Write-Host "    figures: $i runs, $lost lost a file"
    }

    It 'does not wait for a daemon thread inside a long CPU-bound .NET call (<Name>)' -TestCases @(
        @{ Name = 'a slow Regex'; Call = '[regex]::IsMatch(("a" * 64) + "!", "^(a+)+$")' }
        @{ Name = 'Thread.SpinWait'; Call = '[Threading.Thread]::SpinWait([int]::MaxValue)' }
    ) {
        param($Name, $Call)
        $run = Invoke-ExitChild -TimeoutSeconds 90 -Script @"
`$thread = Start-WorkerThread -Daemon { $Call }
Start-Sleep -Milliseconds 500
"@
        $run.TimedOut | Should -BeFalse
        $run.ExitCode | Should -Be 0
        Write-Host ("    figures: exit took {0:N1} s" -f $run.ExitSeconds)
        $run.ExitSeconds | Should -BeLessThan 5
    }

    It 'stops never-ending non-daemon threads on Ctrl+C at the exit wait, and pwsh exits within 2 s (tmux)' {
        if (-not (Get-Command tmux -ErrorAction Ignore)) {
            Set-ItResult -Skipped -Because 'tmux is not installed'
            return
        }
        $session = "psthreading-exit-$PID"
        $script = Join-Path $TestDrive 'never-ending.ps1'
        Set-Content -Path $script -Value @"
Import-Module '$ModuleManifest'
`$null = Start-WorkerThread -Name 'Forever-Sleeping' { while (`$true) { Start-Sleep -Milliseconds 200 } }
`$null = Start-WorkerThread -Name 'Forever-In-DotNet' { [Threading.Thread]::Sleep([Threading.Timeout]::Infinite) }
'main-done'
"@
        try {
            # A server of its own (-L): the test never touches anyone else's tmux sessions.
            # The shell records pwsh's exit code: tmux 3.3 sometimes leaves its pane's process unreaped (a zombie
            # with no #{pane_dead_status}), so the pane cannot tell it.
            $exitFile = Join-Path $TestDrive 'exit-code.txt'
            tmux -L $session new-session -d -s $session -x 200 -y 50 "sleep 1; '$PwshPath' -NoProfile -File '$script'; echo `$? > '$exitFile'"
            tmux -L $session set-option -t $session remain-on-exit on
            Wait-Until -Seconds 60 { (tmux -L $session capture-pane -p -J -t $session) -match 'Press Ctrl\+C' }
            $screen = @(tmux -L $session capture-pane -p -J -t $session)
            $notice = @($screen -match 'waiting for')
            $notice.Count | Should -Be 1
            $notice[0] | Should -Match 'Forever-Sleeping, Forever-In-DotNet'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            tmux -L $session send-keys -t $session C-c
            Wait-Until -Seconds 15 { (Test-Path $exitFile) -and (Get-Content $exitFile -Raw) -match '\d' }
            $seconds = $clock.Elapsed.TotalSeconds
            Write-Host ("    figures: pwsh exited {0:N2} s after Ctrl+C" -f $seconds)
            $seconds | Should -BeLessThan 2
            (Get-Content $exitFile -Raw).Trim() | Should -Be '0'
        }
        finally {
            tmux -L $session kill-server 2>$null
        }
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'Ssh.ps1') }
# Concurrency
# Invoke-ThreadPool -Session over real PowerShell remoting: an sshd of the tests' own on loopback, sessions to
# 127.0.0.1, .2 and .3 (each its own remote pwsh: a node). Three sessions are shared by the file (opening one
# costs about 3 s); the tests that lose a node open their own. Skipped, saying why, where sshd cannot be had.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Ssh.ps1')
    $script:SshSkip = Get-SshSkipReason
    if ($SshSkip) { Write-Host "Invoke-ThreadPool -Session tests skip: $SshSkip" }
}

Describe 'Invoke-ThreadPool -Session' -Skip:([bool]$SshSkip) {
    BeforeAll {
        $script:Server = Start-SshTestServer
        $script:Sessions = @('127.0.0.1', '127.0.0.2', '127.0.0.3' | ForEach-Object { New-SshTestSession $Server $_ })
        $script:NodePids = @{}
        foreach ($s in $Sessions) { $NodePids[$s.ComputerName] = Get-SessionProcessId $s }
        $script:Extra = @()
        # Kills a node's remote pwsh by its id once an item there has said it started (a file named for the pid).
        function script:Start-NodeKiller([int] $NodePid) {
            Start-ThreadJob -ArgumentList $NodePid, (Join-Path $Server.Folder "started-$NodePid") {
                param($victim, $flag)
                $deadline = [datetime]::UtcNow.AddSeconds(60)
                while (-not (Test-Path $flag) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                Stop-Process -Id $victim -Force
            }
        }
        # The sessions answer a plain Invoke-Command at once: not busy, not broken.
        function script:Assert-SessionsUsable($sessions) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            foreach ($s in $sessions) {
                $s.State | Should -Be 'Opened'
                Invoke-Command -Session $s { 'usable' } | Should -Be 'usable'
            }
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        }
    }

    AfterAll {
        Stop-SshTestServer $Server (@($Sessions) + @($Extra))
    }

    It 'spreads the items over the sessions; each result names the node it ran on' {
        $results = 1..9 | Invoke-ThreadPool -Session $Sessions { Start-Sleep -Milliseconds 300; [pscustomobject]@{ N = $_; Pid = $PID } }
        $results.Count | Should -Be 9
        ($results.N | Sort-Object) -join ',' | Should -Be '1,2,3,4,5,6,7,8,9'
        @($results.PSComputerName | Sort-Object -Unique).Count | Should -Be 3
        foreach ($r in $results) {
            $NodePids[$r.PSComputerName] | Should -Be $r.Pid
            $r.RunspaceId | Should -Not -BeNullOrEmpty
        }
        # Deserialized, as Invoke-Command gives them.
        $results[0].PSObject.TypeNames | Should -Contain 'Deserialized.System.Management.Automation.PSCustomObject'
    }

    It 'gives the next item to the free session: a slowed node does fewer items' {
        $slow = $NodePids['127.0.0.2']
        $results = 1..15 | Invoke-ThreadPool -Session $Sessions { if ($PID -eq $using:slow) { Start-Sleep -Milliseconds 1500 } else { Start-Sleep -Milliseconds 100 }; $_ }
        $results.Count | Should -Be 15
        $counts = $results | Group-Object PSComputerName -AsHashTable
        $slowCount = @($counts['127.0.0.2']).Count
        $fastCount = [math]::Min(@($counts['127.0.0.1']).Count, @($counts['127.0.0.3']).Count)
        $slowCount | Should -BeLessThan $fastCount -Because "the slowed node did $slowCount, the fast ones at least $fastCount"
    }

    It 'sends -BatchSize items in one round trip, never more' {
        # Items of one round trip share the batch's scope (scope 1 of the block): each counts its place there.
        $block = { $n = 1 + [int](Get-Variable -Scope 1 -Name seen -ValueOnly -ErrorAction Ignore); Set-Variable -Scope 1 -Name seen -Value $n; $n }
        $batched = Invoke-ThreadPool -Session $Sessions[0] -BatchSize 4 -InputObject (1..12) $block
        $batched.Count | Should -Be 12
        ($batched | Measure-Object -Maximum).Maximum | Should -Be 4
        $single = Invoke-ThreadPool -Session $Sessions[0] -InputObject (1..6) $block
        ($single | Measure-Object -Maximum).Maximum | Should -Be 1
    }

    It 'carries $_, -ArgumentList, $using: (also $using:env:), -Function and -Module to the node' {
        $word = 'carried'
        $env:PSTHREADING_REMOTE_TEST = 'from-env'
        function Get-RemoteDouble([int] $n) { 2 * $n }
        try {
            $results = 1..3 | Invoke-ThreadPool -Session $Sessions -Ordered -ArgumentList 'arg' -Function Get-RemoteDouble -Module Microsoft.PowerShell.ThreadJob {
                param($a)
                "$_|$a|$using:word|$using:env:PSTHREADING_REMOTE_TEST|$(Get-RemoteDouble $_)|$([bool](Get-Module Microsoft.PowerShell.ThreadJob))"
            }
        }
        finally { Remove-Item Env:PSTHREADING_REMOTE_TEST }
        @($results) -join ';' | Should -Be '1|arg|carried|from-env|2|True;2|arg|carried|from-env|4|True;3|arg|carried|from-env|6|True'
    }

    It 'makes script blocks given as an item, by -ArgumentList or $using: blocks again on the node' {
        $viaUsing = { "using $args" }
        $out = { 'piped' }, { 'piped too' } | Invoke-ThreadPool -Session $Sessions[0] -BatchSize 2 -Ordered -ArgumentList { "arg $args" } {
            param($f)
            & $_
            & $f 1
            & $using:viaUsing 2
        }
        $out | Should -Be 'piped', 'arg 1', 'using 2', 'piped too', 'arg 1', 'using 2'
    }

    It 'makes script blocks among -Begin''s and -End''s $using: values blocks again on the node' {
        $helper = { "helper $args" }
        $out = 1, 2 | Invoke-ThreadPool -Session $Sessions[0] -Ordered -Begin {
            $global:helper = $using:helper
            "begin got a $($global:helper.GetType().Name)"
        } -End { & $using:helper 'end' } { & $helper $_ }
        $out | Should -Be 'begin got a ScriptBlock', 'helper 1', 'helper 2', 'helper end'
    }

    It 'fails the items of a node that lacks a -Module with ModuleNotFound naming the node' {
        $results = 1..3 | Invoke-ThreadPool -Session $Sessions -Module PSThreadingNoSuchModule { $_ } -ErrorVariable failures -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 0
        $failures.Count | Should -Be 3
        foreach ($f in $failures) {
            $f.FullyQualifiedErrorId | Should -BeLike 'ModuleNotFound*'
            $f.OriginInfo.PSComputerName | Should -BeIn @('127.0.0.1', '127.0.0.2', '127.0.0.3')
            "$f" | Should -Match ([regex]::Escape($f.OriginInfo.PSComputerName))
            "$f" | Should -Match 'PSThreadingNoSuchModule'
        }
    }

    It 'runs -Begin and -End once per session, and -Ordered keeps input order' {
        $results = 1..9 | Invoke-ThreadPool -Session $Sessions -Ordered -Begin { $began = "began-$PID" } -End { "end-$PID" } {
            Start-Sleep -Milliseconds (50 * (10 - $_)); "$_ $began"
        }
        $items = @($results | Where-Object { $_ -notlike 'end-*' })
        $ends = @($results | Where-Object { $_ -like 'end-*' })
        ($items | ForEach-Object { [int]($_ -split ' ')[0] }) -join ',' | Should -Be '1,2,3,4,5,6,7,8,9'
        foreach ($i in $items) { $i | Should -Match "began-$($NodePids[$i.PSComputerName])$" }
        $ends.Count | Should -Be 3
        @($ends | Sort-Object -Unique).Count | Should -Be 3
        # -End's output comes after every item's.
        [array]::IndexOf(@($results), $ends[0]) | Should -Be 9
    }

    It 'writes errors, warnings, verbose and information through their streams, naming their node' {
        $results = 1..3 | Invoke-ThreadPool -Session $Sessions {
            if ($_ -eq 2) { throw "thrown-$_" }
            Write-Error "written-$_" -ErrorId RemoteTestId
            Write-Warning "warned-$_"
            Write-Verbose "verbose-$_" -Verbose
            Write-Information "informed-$_"
            $_
        } -ErrorVariable errs -WarningVariable warns -InformationVariable infos -ErrorAction SilentlyContinue 3>$null 6>$null 4>&1
        $verbose = @($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        @($results | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) -join ',' | Should -Match '^(1,3|3,1)$'
        $errs.Count | Should -Be 3
        $written = @($errs | Where-Object { "$_" -match 'written' })
        $written.Count | Should -Be 2
        foreach ($e in $errs) {
            $node = $e.OriginInfo.PSComputerName
            $node | Should -BeIn @('127.0.0.1', '127.0.0.2', '127.0.0.3')
            "$e" | Should -Match "^\[$([regex]::Escape($node))\]"
        }
        $written[0].FullyQualifiedErrorId | Should -BeLike 'RemoteTestId*'
        $thrown = @($errs | Where-Object { "$_" -match 'thrown-2' })
        $thrown.Count | Should -Be 1
        $warns.Count | Should -Be 2
        foreach ($w in $warns) { $w.Message | Should -Match '^\[127\.0\.0\.\d\] warned-\d$' }
        $verbose.Count | Should -Be 2
        foreach ($v in $verbose) { $v.Message | Should -Match '^\[127\.0\.0\.\d\] verbose-\d$' }
        $infos.Count | Should -Be 2
        foreach ($i in $infos) { $i.OriginInfo.PSComputerName | Should -BeIn @('127.0.0.1', '127.0.0.2', '127.0.0.3') }
    }

    It 'runs the unfinished items of a node killed mid-run on the other sessions, with one warning naming it' {
        $doomed = New-SshTestSession $Server '127.0.0.2'
        $script:Extra += $doomed
        $doomedPid = Get-SessionProcessId $doomed
        $killer = Start-NodeKiller $doomedPid
        $pool = @($Sessions[0], $doomed, $Sessions[2])
        $results = 1..12 | Invoke-ThreadPool -Session $pool -Timeout 60 -ArgumentList $Server.Folder, $doomedPid {
            param($folder, $doomedPid)
            # The doomed node's first item says it started, then waits to die with its node: with a short sleep it
            # could finish before the killer got to it (once in a quiet CI run).
            New-Item -ItemType File -Force -Path (Join-Path $folder "started-$PID") | Out-Null
            if ($PID -eq $doomedPid) { Start-Sleep -Seconds 60 } else { Start-Sleep -Milliseconds 600 }
            [pscustomobject]@{ N = $_; Pid = $PID }
        } -WarningVariable warns -WarningAction SilentlyContinue -ErrorVariable errs
        $null = $killer | Wait-Job -Timeout 30; $killer | Remove-Job -Force
        $errs.Count | Should -Be 0
        ($results.N | Sort-Object) -join ',' | Should -Be (1..12 -join ',')
        @($results | Where-Object Pid -EQ $doomedPid).Count | Should -Be 0
        $warns.Count | Should -Be 1
        $warns[0].Message | Should -Match '127\.0\.0\.2'
        $warns[0].Message | Should -Match 'lost'
        $doomed.State | Should -Not -Be 'Opened'
        Assert-SessionsUsable @($Sessions[0], $Sessions[2])
    }

    It 'fails the items left with RemoteSessionLost when no session is left' {
        $only = New-SshTestSession $Server '127.0.0.3'
        $script:Extra += $only
        $onlyPid = Get-SessionProcessId $only
        $killer = Start-NodeKiller $onlyPid
        $results = 1..5 | Invoke-ThreadPool -Session $only -Timeout 60 -ArgumentList $Server.Folder {
            param($folder)
            # The item waits to die with its node: it must not finish before the killer gets to it.
            New-Item -ItemType File -Force -Path (Join-Path $folder "started-$PID") | Out-Null
            Start-Sleep -Seconds 60
            $_
        } -WarningVariable warns -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue
        $null = $killer | Wait-Job -Timeout 30; $killer | Remove-Job -Force
        @($results).Count + $errs.Count | Should -Be 5
        $errs.Count | Should -BeGreaterThan 0
        foreach ($e in $errs) {
            $e.FullyQualifiedErrorId | Should -BeLike 'RemoteSessionLost*'
            "$e" | Should -Match '127\.0\.0\.3'
        }
        $warns.Count | Should -Be 1
    }

    It 'refuses a value of this process or machine (a queue, a machine lock) with NotAcrossProcesses before anything runs' {
        $queue = New-ThreadQueue
        $lock = New-ThreadLock -Name "psthreading-remote-refused-$PID" -Scope Machine
        $calls = @(
            { 1 | Invoke-ThreadPool -Session $Sessions[0] -ArgumentList $queue { param($q) $q.Put($_) } }
            { 1 | Invoke-ThreadPool -Session $Sessions[0] { ($using:lock).Acquire() } }
            { 1 | Invoke-ThreadPool -Session $Sessions[0] -Begin { $null = $using:queue } { $_ } }
        )
        foreach ($call in $calls) {
            $err = $null
            $out = try { & $call } catch { $err = $_ }
            $out | Should -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'NotAcrossProcesses*'
            "$err" | Should -Match 'remote session'
        }
        $queue.Count | Should -Be 0
    }

    It 'refuses a session that is not open with SessionNotOpened before anything runs' {
        $broken = @($Extra | Where-Object State -NE 'Opened')[0]
        $broken | Should -Not -BeNullOrEmpty
        $marker = Join-Path $Server.Folder 'ran-anyway'
        { 1..3 | Invoke-ThreadPool -Session @($Sessions[0], $broken) -ArgumentList $marker { param($m) New-Item -ItemType File $m } } |
            Should -Throw -ErrorId 'SessionNotOpened*'
        Test-Path $marker | Should -BeFalse
        $err = $null
        try { 1 | Invoke-ThreadPool -Session $broken { $_ } } catch { $err = $_ }
        "$err" | Should -Match 'New-PSSession'
    }

    It 'stops the remote pipelines at -Timeout and leaves the sessions open and usable' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $results = 1..6 | Invoke-ThreadPool -Session $Sessions -Timeout 1 { Start-Sleep -Seconds 60; $_ } -ErrorVariable errs -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 6
        @($results).Count | Should -Be 0
        $errs[-1].FullyQualifiedErrorId | Should -BeLike 'PoolTimeout*'
        Assert-SessionsUsable $Sessions
    }

    It 'stops only the late item at -ItemTimeout; the others finish and the sessions stay usable' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $results = 1..6 | Invoke-ThreadPool -Session $Sessions -ItemTimeout 1 -BatchSize 2 { if ($_ -eq 2) { Start-Sleep -Seconds 60 }; $_ } -ErrorVariable errs -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 8
        (@($results) | Sort-Object) -join ',' | Should -Be '1,3,4,5,6'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimeout*'
        Assert-SessionsUsable $Sessions
    }

    It 'stops the remote pipelines when its -AsJob job is stopped, leaving the sessions usable' {
        $beat = Join-Path $Server.Folder "beat-$([guid]::NewGuid().ToString('n'))"
        $job = 1..3 | Invoke-ThreadPool -Session $Sessions -AsJob -ArgumentList $beat {
            param($file)
            while ($true) { [IO.File]::WriteAllText("$file-$PID", [datetime]::UtcNow.Ticks); Start-Sleep -Milliseconds 100 }
        }
        Wait-Until { @(Get-ChildItem "$beat-*" -ErrorAction Ignore).Count -eq 3 } -Seconds 60
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job | Stop-Job
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $job.State | Should -Be 'Stopped'
        Remove-Job $job -Force
        Assert-SessionsUsable $Sessions
        $before = Get-ChildItem "$beat-*" | ForEach-Object { Get-Content $_ -Raw }
        Start-Sleep -Milliseconds 500
        Get-ChildItem "$beat-*" | ForEach-Object { Get-Content $_ -Raw } | Should -Be $before
    }

    It 'runs as a job with -AsJob, and inline on the caller''s thread under $PSThreadingMode = ''Inline''' {
        $job = 1..3 | Invoke-ThreadPool -Session $Sessions -AsJob { "job-$_" }
        $null = $job | Wait-Job -Timeout 60
        $job.State | Should -Be 'Completed'
        $out = @(Receive-Job $job)
        ($out | Sort-Object) -join ',' | Should -Be 'job-1,job-2,job-3'
        $out[0].PSComputerName | Should -BeIn @('127.0.0.1', '127.0.0.2', '127.0.0.3')
        Remove-Job $job
        $PSThreadingMode = 'Inline'
        try { $inline = 1..2 | Invoke-ThreadPool -Session $Sessions { "$_-$PID" } }
        finally { $PSThreadingMode = $null }
        $inline -join ',' | Should -Be "1-$PID,2-$PID"
    }

    It 'honours -MaxRetries with $PSThreadingAttempt, -RateLimit and -ThrottleKey on the sessions' {
        $results = 1..6 | Invoke-ThreadPool -Session $Sessions -MaxRetries 2 -RetryDelay 0.05 {
            "$_ attempt $PSThreadingAttempt"
            if ($PSThreadingAttempt -lt 2) { throw "item $_ fails its first attempt" }
        } -ErrorVariable failures
        $failures | Should -BeNullOrEmpty
        @($results | ForEach-Object { "$_" } | Sort-Object) | Should -Be @(foreach ($n in 1..6) { "$n attempt 2" })

        $starts = @(1..6 | Invoke-ThreadPool -Session $Sessions -RateLimit 2 { [datetime]::UtcNow.Ticks })
        $at = @($starts | Sort-Object | ForEach-Object { $_ / 1e7 })
        ($at[-1] - $at[0]) | Should -BeGreaterThan 1.8
        foreach ($start in $at) { @($at | Where-Object { $_ -ge $start -and $_ -lt $start + 0.9 }).Count | Should -BeLessOrEqual 2 }

        $spans = @(1..4 | Invoke-ThreadPool -Session $Sessions -ThrottleKey { 'one key' } {
            $from = [datetime]::UtcNow.Ticks; Start-Sleep -Milliseconds 200; [pscustomobject]@{ From = $from; To = [datetime]::UtcNow.Ticks }
        } | Sort-Object From)
        $spans.Count | Should -Be 4
        for ($i = 1; $i -lt 4; $i++) { $spans[$i].From | Should -BeGreaterOrEqual $spans[$i - 1].To }
    }

    It 'honours a server''s Retry-After from a node: the retry waits it, not the short backoff' {
        . (Join-Path $PSScriptRoot 'HttpApi.ps1')
        $api = Start-TestApi -RetryAfterSeconds 2
        $port = $api.Port
        try {
            $results = 1..3 | Invoke-ThreadPool -Session $Sessions -MaxRetries 2 -RetryDelay 0.05 -RetryOn 429 {
                $null = Invoke-RestMethod "http://127.0.0.1:$using:port/node/$_"
                "$_ attempt $PSThreadingAttempt"
            }
            @($results | ForEach-Object { "$_" } | Sort-Object) | Should -Be '1 attempt 2', '2 attempt 2', '3 attempt 2'
            $waits = @(Get-TestApiRetryWait $api)
            $waits.Count | Should -Be 3
            foreach ($wait in $waits) { $wait.Seconds | Should -BeGreaterThan 1.8 -Because "$($wait.Path) was told to wait 2 s" }
        }
        finally { Stop-TestApi $api }
    }

    It 'says to pass -Function when an item calls a function the caller has, and refuses -Isolation Process' {
        function Get-CallerOnlyTriple($x) { $x * 3 }
        $null = 1 | Invoke-ThreadPool -Session $Sessions[0] { Get-CallerOnlyTriple $_ } -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        "$($failures[0])" | Should -Match 'pass -Function Get-CallerOnlyTriple'
        { 1 | Invoke-ThreadPool -Session $Sessions -Isolation Process { $_ } } | Should -Throw -ErrorId 'IsolationConflict,*'
    }

    It 'ends at Ctrl+C within 2 s, stopping the remote pipeline and leaving the session usable' -Skip:($IsWindows) {
        $base = Join-Path $Server.Folder "ctrlc-$([guid]::NewGuid().ToString('n'))"
        $file = "$base.ps1"
        @"
Import-Module '$ModuleManifest'
. '$PSScriptRoot/Ssh.ps1'
`$server = [pscustomobject]@{ Port = $($Server.Port); KeyFile = '$($Server.KeyFile)'; KnownHosts = '$($Server.KnownHosts)'; UserName = '$($Server.UserName)' }
`$s = New-SshTestSession `$server '127.0.0.1'
try {
    1..2 | Invoke-ThreadPool -Session `$s { New-Item -ItemType File -Force '$base.started' | Out-Null; while (`$true) { [IO.File]::WriteAllText('$base.beat', [datetime]::UtcNow.Ticks); Start-Sleep -Milliseconds 100 } }
}
finally {
    [IO.File]::WriteAllText('$base.ended', [datetime]::UtcNow.Ticks.ToString())
    [IO.File]::WriteAllText('$base.usable', (Invoke-Command -Session `$s { 'usable' }))
    Remove-PSSession `$s
}
"@ | Set-Content $file
        $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file -PassThru -NoNewWindow
        try {
            Wait-Until { Test-Path "$base.started" } -Seconds 60
            Start-Sleep -Milliseconds 300
            $sent = [datetime]::UtcNow
            & kill -s INT $process.Id
            $process.WaitForExit(30000) | Should -BeTrue
            $process.ExitCode | Should -Not -Be 134
            ([datetime]::new([long](Get-Content "$base.ended" -Raw), 'Utc') - $sent).TotalSeconds | Should -BeLessThan 2.5
            Get-Content "$base.usable" -Raw | Should -Be 'usable'
            # The remote item no longer beats.
            $beat = Get-Content "$base.beat" -Raw
            Start-Sleep -Milliseconds 500
            Get-Content "$base.beat" -Raw | Should -Be $beat
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            Remove-Item "$base*" -ErrorAction Ignore
        }
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Pool items stream their output as they write it, and nothing an item wrote is dropped when a timeout, an
# error under -ErrorAction Stop or Ctrl+C ends it (issue 13, "Nothing is lost"). -Ordered still holds an
# item's output until the earlier items are written.
Describe 'Invoke-ThreadPool streams what items write' {
    BeforeAll {
        $ProgressPreference = 'SilentlyContinue'

        # Runs $Script (which pipes to `$sink.Add($_)`) in a PowerShell of its own, waits up to 15 s for
        # $Count objects in $sink, stops it (Ctrl+C) and returns what arrived and how long the stop took.
        function Invoke-StoppedAfterOutput([string] $Script, [int] $Count = 1) {
            $sink = [Collections.Concurrent.ConcurrentQueue[object]]::new()
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("param(`$sink) Import-Module '$ModuleManifest'; $Script").AddArgument($sink)
                $handle = $ps.BeginInvoke()
                $deadline = [datetime]::UtcNow.AddSeconds(15)
                while ($sink.Count -lt $Count -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                [pscustomobject]@{
                    Output      = @($sink.ToArray())
                    StopSeconds = $clock.Elapsed.TotalSeconds
                    Completed   = $handle.IsCompleted
                    State       = $ps.InvocationStateInfo.State
                }
            }
            finally {
                $ps.Dispose()
            }
        }
    }

    Context 'what an item wrote before it was ended' {
        # ForEach-Object -Parallel's own case ('Verifies timeout and throttle parameters'): the first of two
        # 60 s items writes, the call times out, and the output comes back with the timeout error.
        It 'returns the output written before -Timeout with the PoolTimeout error (Ordered: <Ordered>)' -TestCases @(
            @{ Ordered = $false }, @{ Ordered = $true }
        ) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $results = 1..2 | Invoke-ThreadPool { "Output $_"; Start-Sleep -Seconds 60 } -Timeout 1 -ThrottleLimit 1 -Ordered:$Ordered 2>&1
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $results.Count | Should -BeExactly 2
            $results[0] | Should -BeExactly 'Output 1'
            $results[1].FullyQualifiedErrorId | Should -BeLike 'PoolTimeout*'
        }

        It 'returns what items still running had written when -Timeout passed, in order under -Ordered' {
            $results = 1..3 | Invoke-ThreadPool { "Output $_"; Start-Sleep -Seconds 60 } -Timeout 1 -ThrottleLimit 3 -Ordered 2>&1
            $results.Count | Should -BeExactly 4
            $results[0..2] | Should -Be 'Output 1', 'Output 2', 'Output 3'
            $results[3].FullyQualifiedErrorId | Should -BeLike 'PoolTimeout*'
        }

        It 'writes what an item wrote before -ItemTimeout ahead of its ItemTimeout error (Ordered: <Ordered>)' -TestCases @(
            @{ Ordered = $false }, @{ Ordered = $true }
        ) {
            $results = 1..2 | Invoke-ThreadPool { "before $_"; Start-Sleep -Seconds 30; "after $_" } -ItemTimeout 0.5 -ThrottleLimit 1 -Ordered:$Ordered 2>&1
            $results.Count | Should -BeExactly 4
            $results[0] | Should -BeExactly 'before 1'
            $results[1].FullyQualifiedErrorId | Should -BeLike 'ItemTimeout*'
            $results[1].TargetObject | Should -Be 1
            $results[2] | Should -BeExactly 'before 2'
            $results[3].FullyQualifiedErrorId | Should -BeLike 'ItemTimeout*'
            $results[3].TargetObject | Should -Be 2
        }

        It 'writes what an item wrote before its error stopped the call under -ErrorAction Stop (<Case>)' -TestCases @(
            @{ Case = 'throw'; Block = { 'partial'; Start-Sleep -Milliseconds 100; throw 'boom'; 'not reached' } }
            @{ Case = 'Write-Error'; Block = { 'partial'; Start-Sleep -Milliseconds 100; Write-Error 'boom'; 'not reached' } }
        ) {
            $got = [Collections.Generic.List[object]]::new()
            $caught = $null
            try {
                1 | Invoke-ThreadPool $Block -ErrorAction Stop | ForEach-Object { $got.Add($_) }
            }
            catch {
                $caught = $_
            }
            $got | Should -Be 'partial'
            "$caught" | Should -BeLike '*boom*'
        }

        It 'has written what an item wrote before Ctrl+C (PowerShell.Stop) stopped the call (Ordered: <Ordered>)' -TestCases @(
            @{ Ordered = $false }, @{ Ordered = $true }
        ) {
            $run = Invoke-StoppedAfterOutput "1 | Invoke-ThreadPool { 'Output 1'; Start-Sleep -Seconds 60 } -Ordered:`$$Ordered | ForEach-Object { `$sink.Enqueue(`$_) }"
            $run.Output | Should -Be 'Output 1'
            $run.StopSeconds | Should -BeLessThan 5 -Because 'the item sleeps 60 s: Ctrl+C must not wait for it'
            $run.Completed | Should -BeTrue
            $run.State | Should -Be 'Stopped'
        }

        It 'has written what an item wrote before SIGINT ended the call in a child pwsh' -Skip:($IsWindows) {
            $written = Join-Path ([IO.Path]::GetTempPath()) "psthreading-stream-$([guid]::NewGuid().ToString('n'))"
            $file = "$written.ps1"
            @"
Import-Module '$ModuleManifest'
1 | Invoke-ThreadPool { 'Output 1'; Start-Sleep -Seconds 60 } | ForEach-Object { [IO.File]::AppendAllText('$written', "`$_``n") }
[IO.File]::AppendAllText('$written', "went on``n")
"@ | Set-Content $file
            $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file -PassThru -NoNewWindow
            try {
                $deadline = [datetime]::UtcNow.AddSeconds(30)
                # The item has written its output (the file exists): SIGINT may come at any point after that.
                while (-not (Test-Path $written) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                & kill -s INT $process.Id
                $process.WaitForExit(10000) | Should -BeTrue
                $process.ExitCode | Should -Not -Be 134
                @(Get-Content $written -ErrorAction Ignore) | Should -Be 'Output 1'
            }
            finally {
                if (-not $process.HasExited) { $process.Kill($true) }
                Remove-Item $file, $written -ErrorAction Ignore
            }
        }
    }

    Context 'when output is written' {
        It 'writes an item''s first output while the item still runs (Ordered: <Ordered>)' -TestCases @(
            @{ Ordered = $false }, @{ Ordered = $true }
        ) {
            # The item goes on only once its first output has reached the caller: output held until the item's
            # end would arrive after the item's 20 s wait.
            $gate = New-ThreadEvent
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $arrivals = 1 | Invoke-ThreadPool { 'first'; $null = ($using:gate).Wait(20); 'second' } -Ordered:$Ordered |
                ForEach-Object { [pscustomobject]@{ Value = $_; Seconds = $clock.Elapsed.TotalSeconds; GateWasSet = $gate.IsSet }; $gate.Set() }
            $arrivals.Value | Should -Be 'first', 'second'
            $arrivals[0].GateWasSet | Should -BeFalse
            $arrivals[0].Seconds | Should -BeLessThan 10
        }

        It 'keeps input order under -Ordered, holding a later item''s output until the earlier items are written' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $arrivals = 1..3 | Invoke-ThreadPool -Ordered -ThrottleLimit 3 {
                "a$_"
                Start-Sleep -Milliseconds (900 - 300 * $_)
                "b$_"
            } | ForEach-Object { [pscustomobject]@{ Value = $_; Seconds = $clock.Elapsed.TotalSeconds } }
            $arrivals.Value | Should -Be 'a1', 'b1', 'a2', 'b2', 'a3', 'b3'
            # Item 1 streams at once; items 2 and 3 had finished long before item 1 and wait for it.
            $arrivals[0].Seconds | Should -BeLessThan ($arrivals[1].Seconds - 0.3)
        }

        It 'keeps an item''s records in order with its output (unordered)' {
            $results = 1..3 | Invoke-ThreadPool { Write-Warning "w$_"; "o$_"; Write-Warning "x$_" } -ThrottleLimit 1 3>&1
            @($results | ForEach-Object { if ($_ -is [System.Management.Automation.WarningRecord]) { $_.Message } else { $_ } }) |
                Should -Be 'w1', 'o1', 'x1', 'w2', 'o2', 'x2', 'w3', 'o3', 'x3'
        }

        It 'streams the output of items run one by one (-UseNewRunspace) before -Timeout ends them' {
            $results = 1 | Invoke-ThreadPool -UseNewRunspace { 'Output 1'; Start-Sleep -Seconds 60 } -Timeout 1 2>&1
            $results.Count | Should -BeExactly 2
            $results[0] | Should -BeExactly 'Output 1'
            $results[1].FullyQualifiedErrorId | Should -BeLike 'PoolTimeout*'
        }

        It 'writes every object of many tiny items, once each (Ordered: <Ordered>)' -TestCases @(
            @{ Ordered = $false }, @{ Ordered = $true }
        ) {
            $out = 1..2000 | Invoke-ThreadPool { Write-Output $_; $_ + 10000 } -Ordered:$Ordered
            $out.Count | Should -Be 4000
            if ($Ordered) {
                $out[0..3] | Should -Be 1, 10001, 2, 10002
            }
            ($out | Sort-Object -Unique).Count | Should -Be 4000
        }
    }
}

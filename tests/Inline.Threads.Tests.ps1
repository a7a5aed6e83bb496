BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# $PSThreadingMode = 'Inline' exists so that a Pester test sees what Threads mode does: each test here runs
# the same block, with the same expectation, in both modes.
Describe 'Inline mode behaves as Threads mode does' {
    AfterEach {
        Stop-LeftoverWorker
        Remove-Variable -Name PSThreadingMode -Scope Global -ErrorAction Ignore
        Remove-Variable -Name PSThreadingProbe, PSThreadingProbeNew -Scope Global -ErrorAction Ignore
    }

    Context 'what a block changes stays in the block' {
        It 'a block starts in the caller''s location, and its Set-Location does not move the caller (<Mode>, <Kind>)' -TestCases @(
            @{ Mode = 'Threads'; Kind = 'pool' }
            @{ Mode = 'Inline'; Kind = 'pool' }
            @{ Mode = 'Threads'; Kind = 'worker' }
            @{ Mode = 'Inline'; Kind = 'worker' }
        ) {
            $PSThreadingMode = $Mode
            $start = Join-Path $TestDrive 'start [1]'
            $elsewhere = Join-Path $TestDrive 'elsewhere'
            $null = New-Item -ItemType Directory -Path $start, $elsewhere -Force
            Push-Location -LiteralPath $start
            try {
                $block = { $PWD.Path; Set-Location -LiteralPath $args[0]; $PWD.Path }
                $seen = if ($Kind -eq 'pool') {
                    1, 2 | Invoke-ThreadPool $block -ArgumentList $elsewhere -ThrottleLimit 1
                }
                else {
                    Start-WorkerThread $block -ArgumentList $elsewhere | Wait-WorkerThread -Timeout 30
                }

                $seen[0] | Should -Be $start
                $seen[1] | Should -Be $elsewhere
                if ($Kind -eq 'pool') { $seen[2] | Should -Be $start }
                $PWD.Path | Should -Be $start
            }
            finally {
                Pop-Location
            }
        }

        It 'a block''s $global: assignments never reach the caller (<Mode>, <Kind>)' -TestCases @(
            @{ Mode = 'Threads'; Kind = 'pool' }
            @{ Mode = 'Inline'; Kind = 'pool' }
            @{ Mode = 'Threads'; Kind = 'worker' }
            @{ Mode = 'Inline'; Kind = 'worker' }
        ) {
            $PSThreadingMode = $Mode
            $global:PSThreadingProbe = 'before'
            $block = { $global:PSThreadingProbe = 'changed'; $global:PSThreadingProbeNew = 1; Set-Variable -Name PSThreadingProbe -Value 'set' -Scope Global; 'ran' }
            $out = if ($Kind -eq 'pool') { 1 | Invoke-ThreadPool $block } else { Start-WorkerThread $block | Wait-WorkerThread -Timeout 30 }
            $out | Should -Be 'ran'
            $global:PSThreadingProbe | Should -Be 'before'
            Get-Variable -Name PSThreadingProbeNew -Scope Global -ErrorAction Ignore | Should -BeNullOrEmpty
        }

        It 'a block stopped by -ItemTimeout leaves the caller''s location and globals as they were (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $global:PSThreadingProbe = 'before'
            $here = $PWD.Path
            $null = 1 | Invoke-ThreadPool { Set-Location -LiteralPath $args[0]; $global:PSThreadingProbe = 'changed'; $global:PSThreadingProbeNew = 1; Start-Sleep -Seconds 30 } `
                -ArgumentList $TestDrive -ItemTimeout 0.5 -ErrorVariable errs 2>$null
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimeout,*'
            $PWD.Path | Should -Be $here
            $global:PSThreadingProbe | Should -Be 'before'
            Get-Variable -Name PSThreadingProbeNew -Scope Global -ErrorAction Ignore | Should -BeNullOrEmpty
        }

        It 'what a block does to an object a global refers to stays, as with a $using: value (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $global:PSThreadingProbe = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $bag = $global:PSThreadingProbe
            $null = 1, 2 | Invoke-ThreadPool { ($using:bag).Add($_) }
            $global:PSThreadingProbe.Count | Should -Be 2
        }

        It 'a block''s Remove-Variable of a caller''s global does not remove it (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $global:PSThreadingProbe = 'kept'
            $null = 1 | Invoke-ThreadPool { Remove-Variable -Name PSThreadingProbe -Scope Global -ErrorAction Ignore }
            $global:PSThreadingProbe | Should -Be 'kept'
        }

        It 'the caller''s own changes between items are kept (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $out = 1..3 | ForEach-Object { $global:PSThreadingProbe = $_; $_ } | Invoke-ThreadPool { $_ * 10 } -ThrottleLimit 1
            $out | Should -Be 10, 20, 30
            $global:PSThreadingProbe | Should -Be 3
        }
    }

    Context 'errors and identity' {
        It 'an item''s unknown command ends the item with the item as TargetObject (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $out = 5, 6 | Invoke-ThreadPool { if ($_ -eq 5) { Get-PSThreadingNoSuchCommand }; "after $_" } -ThrottleLimit 1 -ErrorVariable errs 2>$null
            $out | Should -Be 'after 6'
            $errs.Count | Should -Be 1
            # Its id exactly, as ForEach-Object -Parallel keeps it (issue 21): not stamped with Invoke-ThreadPool.
            $errs[0].FullyQualifiedErrorId | Should -Be 'CommandNotFoundException'
            $errs[0].TargetObject | Should -Be 5
            $errs[0].Exception.CommandName | Should -Be 'Get-PSThreadingNoSuchCommand'
        }

        It 'Get-ActiveThread -Current in a worker''s block is that worker, and the caller''s own afterwards (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $caller = (Get-ActiveThread -Current).Name
            $thread = Start-WorkerThread { $me = Get-ActiveThread -Current; $me.Name; $me.Kind.ToString() } -Name "current-$Mode"
            $thread | Wait-WorkerThread -Timeout 30 | Should -Be "current-$Mode", 'Worker'
            $unnamed = Start-WorkerThread { (Get-ActiveThread -Current).Name }
            $unnamed | Wait-WorkerThread -Timeout 30 | Should -Be $unnamed.Name
            $unnamed.Name | Should -BeLike 'Thread-*'
            (Get-ActiveThread -Current).Name | Should -Be $caller
        }

        It 'a worker started in a worker''s block is the current thread in its own block (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $outer = Start-WorkerThread {
                Start-WorkerThread { (Get-ActiveThread -Current).Name } -Name "inner-$using:Mode" | Wait-WorkerThread -Timeout 30
                (Get-ActiveThread -Current).Name
            } -Name "outer-$Mode"
            $outer | Wait-WorkerThread -Timeout 60 | Should -Be "inner-$Mode", "outer-$Mode"
        }

        It 'a lock the caller holds is another thread''s lock in a worker''s block (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $PSThreadingMode = $Mode
            $lock = New-ThreadLock -Reentrant
            $null = $lock.Acquire()
            try {
                Start-WorkerThread { ($using:lock).Acquire(0.2) } | Wait-WorkerThread -Timeout 30 | Should -BeFalse
            }
            finally {
                $lock.Release()
            }
        }
    }

    Context 'a block that waits for what the caller does next' {
        It 'a -Daemon heartbeat polling a stop event lets the script go on to set it, and the join ends it (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            # In a child pwsh with a bound: a regression fails here instead of hanging the suite.
            $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @"
`$PSThreadingMode = '$Mode'
`$stop = New-ThreadEvent
`$beats = [System.Collections.Concurrent.ConcurrentQueue[int]]::new()
`$heartbeat = Start-WorkerThread -Daemon { while (-not (`$using:stop).Wait(0.2)) { (`$using:beats).Enqueue(1) } }
'reached'
`$stop.Set()
`$null = `$heartbeat | Wait-WorkerThread -Timeout 20 -ErrorVariable errs 2>`$null
"alive=`$(`$heartbeat.IsAlive) errors=`$(`$errs.Count)"
"@
            $child.ExitCode | Should -Be 0
            $child.Output | Should -Be 'reached', 'alive=False errors=0'
        }

        It 'a worker polling with a timed wait for the caller never hangs the script (<Mode>)' -TestCases @(
            @{ Mode = 'Threads' }
            @{ Mode = 'Inline' }
        ) {
            $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @"
`$PSThreadingMode = '$Mode'
`$go = New-ThreadEvent
`$queue = New-ThreadQueue
`$poller = Start-WorkerThread { while (-not (`$using:go).Wait(0.1)) { }; 'went' }
`$taker = Start-WorkerThread { `$item = `$null; while (`$null -eq `$item) { try { `$item = (`$using:queue).Take(0.1) } catch [PSThreading.Core.Sync.QueueEmptyException] { } } }
'reached'
`$go.Set()
`$null = `$queue.Add('item')
`$null = `$poller, `$taker | Wait-WorkerThread -Timeout 20 2>`$null
"alive=`$(`$poller.IsAlive)/`$(`$taker.IsAlive)"
"@
            $child.ExitCode | Should -Be 0
            $child.Output | Should -Be 'reached', 'alive=False/False'
        }
    }

    Context 'the rule inline: no wait waits for the caller' {
        It 'a daemon that polls for the caller is left Stopped without error; any other block fails with InlineWouldBlock' {
            $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$PSThreadingMode = 'Inline'
$beats = [System.Collections.Generic.List[int]]::new()
function Send-Heartbeat { $beats.Add(1) }
$stop = New-ThreadEvent
$daemon = Start-WorkerThread -Daemon { while (-not ($using:stop).Wait(0.1)) { Send-Heartbeat } }
"daemon=$($daemon.State) error=$($null -eq $daemon.Error) beats=$($beats.Count)"
$worker = Start-WorkerThread { while (-not ($using:stop).Wait(0.1)) { } }
"worker=$($worker.State) id=$($worker.Error.ErrorId)"
$swallowed = Start-WorkerThread { while ($true) { try { $null = ($using:stop).Wait(0) } catch { } } }
"swallowed=$($swallowed.State)"
$null = 1 | Invoke-ThreadPool { $e = ($using:stop); while (-not $e.Wait(0.1)) { } } -ErrorVariable errs 2>$null
$inner = $errs[0].Exception; while ($inner.InnerException) { $inner = $inner.InnerException }
"item=$($errs.Count) $($inner.ErrorId) target=$($errs[0].TargetObject)"
"once=$(1 | Invoke-ThreadPool { ($using:stop).Wait(0.1) })"
$stop.Set()
"after=$(1 | Invoke-ThreadPool { ($using:stop).Wait(0.1); ($using:stop).Wait(0.1) })"
'@
            $child.ExitCode | Should -Be 0
            $child.Output | Should -Be @(
                'daemon=Stopped error=True beats=1'
                'worker=Failed id=InlineWouldBlock'
                'swallowed=Failed'
                'item=1 InlineWouldBlock target=1'
                'once=False'
                'after=True True'
            )
        }
    }
}

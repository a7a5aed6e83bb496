BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Invoke-ThreadPool' {
    BeforeAll {
        # Runs a script in its own runspace on its own thread, with the module imported, and gives up after
        # $Seconds: a test of something that could hang (a deadlock, a stop that does not stop) fails instead.
        function Invoke-Bounded {
            param([string] $Script, [double] $Seconds = 30)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$ModuleManifest'`n$Script")
                $handle = $ps.BeginInvoke()
                if (-not $handle.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($Seconds))) {
                    $null = $ps.BeginStop($null, $null)
                    throw "The script did not finish within $Seconds s."
                }
                [pscustomobject]@{
                    Output = @($ps.EndInvoke($handle))
                    Errors = @($ps.Streams.Error)
                    Progress = @($ps.Streams.Progress)
                }
            }
            finally {
                $ps.Dispose()
            }
        }

        # The names of the pool workers alive in this process right now.
        function Get-PoolWorkerName {
            @(Get-ActiveThread | Where-Object Name -Like 'ThreadPool-*' | ForEach-Object Name)
        }

        # Waits until no pool worker is alive, up to $Seconds; returns the names still alive.
        function Wait-PoolWorkersGone {
            param([double] $Seconds = 5)
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ((Get-PoolWorkerName).Count -gt 0 -and $clock.Elapsed.TotalSeconds -lt $Seconds) {
                Start-Sleep -Milliseconds 20
            }
            Get-PoolWorkerName
        }
    }

    AfterEach {
        Wait-PoolWorkersGone | Should -BeNullOrEmpty
    }

    Context 'items and output' {
        It 'runs the block once for each piped item, as $_ and $PSItem' {
            $out = 1..20 | Invoke-ThreadPool { $_ * 2 }
            ($out | Sort-Object) | Should -Be (1..20 | ForEach-Object { $_ * 2 })
            (1..3 | Invoke-ThreadPool { $PSItem + 1 } | Sort-Object) | Should -Be 2, 3, 4
        }

        It 'takes -InputObject as an array whose elements are the items' {
            $out = Invoke-ThreadPool -InputObject (1..5) -ScriptBlock { $_ * 10 }
            ($out | Sort-Object) | Should -Be 10, 20, 30, 40, 50
        }

        It 'takes each piped array as one item, like ForEach-Object' {
            $out = @(1, 2), @(3, 4, 5) | Invoke-ThreadPool { $_.Count } -Ordered
            $out | Should -Be 2, 3
        }

        It 'takes the block by position and writes nothing for no input' {
            @(@() | Invoke-ThreadPool { 'never' }).Count | Should -Be 0
        }

        It 'keeps every object an item writes, including one array written whole' {
            $out = 1 | Invoke-ThreadPool { 'a'; 'b'; , @(1, 2) }
            $out.Count | Should -Be 3
            $out[2] | Should -Be 1, 2
        }

        It 'writes results in input order with -Ordered' {
            $out = 1..8 | Invoke-ThreadPool { Start-Sleep -Milliseconds (400 - 50 * $_); $_ } -Ordered -ThrottleLimit 8
            $out | Should -Be (1..8)
        }

        It 'writes results as items finish without -Ordered' {
            $out = 1..4 | Invoke-ThreadPool { if ($_ -eq 1) { Start-Sleep -Milliseconds 1500 }; $_ } -ThrottleLimit 4
            $out[-1] | Should -Be 1
            ($out | Sort-Object) | Should -Be (1..4)
        }

        It 'writes each result as soon as its item is done, while others still run' {
            # Item 2 finishes only once item 1's result has reached the caller: results held until every item is
            # done would arrive after item 2's 20 s wait.
            $gate = New-ThreadEvent
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $seen = 1..2 | Invoke-ThreadPool { if ($_ -eq 2) { $null = ($using:gate).Wait(20) }; $_ } -ThrottleLimit 2 -NoProgress |
                ForEach-Object { [pscustomobject]@{ Value = $_; At = $clock.Elapsed.TotalSeconds }; $gate.Set() }
            $seen.Value | Should -Be 1, 2
            $seen[0].At | Should -BeLessThan 10
        }

        It 'stops the workers when a downstream command wants no more' {
            $out = 1..200 | Invoke-ThreadPool { Start-Sleep -Milliseconds 20; $_ } -ThrottleLimit 4 | Select-Object -First 3
            $out.Count | Should -Be 3
        }
    }

    Context 'the block' {
        It 'passes -ArgumentList to the block''s parameters' {
            $out = 1..3 | Invoke-ThreadPool { param($Add, $Times) ($_ + $Add) * $Times } -ArgumentList 10, 2 -Ordered
            $out | Should -Be 22, 24, 26
        }

        It 'reads $using: variables of the caller' {
            $offset = 100
            $table = @{ Key = 'value' }
            $out = 1..3 | Invoke-ThreadPool { $_ + $using:offset } -Ordered
            $out | Should -Be 101, 102, 103
            1 | Invoke-ThreadPool { $using:table.Key } | Should -Be 'value'
        }

        It 'reads $using:env:NAME and $using:variable:name' {
            $env:PSTHREADING_TEST_VALUE = 'from-env'
            $offset = 10
            try {
                1..2 | Invoke-ThreadPool { "$using:env:PSTHREADING_TEST_VALUE $($_ + $using:variable:offset)" } -Ordered | Should -Be 'from-env 11', 'from-env 12'
            }
            finally {
                Remove-Item env:PSTHREADING_TEST_VALUE
            }
        }

        It 'refuses a $using: variable the caller has not set' {
            Remove-Variable -Name neverSet -ErrorAction Ignore
            { 1 | Invoke-ThreadPool { $using:neverSet } } | Should -Throw -ErrorId 'UsingVariableUndefined*'
        }

        It 'runs a function''s body as the block' {
            function Get-Square { $_ * $_ }
            (1..4 | Invoke-ThreadPool ${function:Get-Square} | Sort-Object) | Should -Be 1, 4, 9, 16
        }

        It 'gives each item its own scope: a variable set by one item is not seen by the next' {
            $out = 1..30 | Invoke-ThreadPool { $seen = $null -ne $mine; $mine = $_; $seen } -ThrottleLimit 1
            $out | Should -Not -Contain $true
        }

        It 'runs in the caller''s location, with PSThreading loaded' {
            Push-Location ([IO.Path]::GetTempPath())
            try {
                $expected = (Get-Location).ProviderPath
                1 | Invoke-ThreadPool { (Get-Location).ProviderPath } | Should -Be $expected
                1 | Invoke-ThreadPool { [bool](Get-Command Get-ActiveThread -ErrorAction Ignore) } | Should -BeTrue
            }
            finally {
                Pop-Location
            }
        }

        It 'gives the items the caller''s preference variables' {
            $WarningPreference = 'SilentlyContinue'
            1 | Invoke-ThreadPool { $WarningPreference } | Should -Be 'SilentlyContinue'
        }
    }

    Context 'throttle' {
        It 'never runs more items at once than -ThrottleLimit' -TestCases @(
            @{ Limit = 1 }
            @{ Limit = 3 }
        ) {
            $state = [hashtable]::Synchronized(@{ Running = 0; Peak = 0 })
            $null = 1..12 | Invoke-ThreadPool {
                $s = $using:state
                [Threading.Monitor]::Enter($s.SyncRoot)
                try {
                    $s.Running++
                    if ($s.Running -gt $s.Peak) { $s.Peak = $s.Running }
                }
                finally { [Threading.Monitor]::Exit($s.SyncRoot) }
                Start-Sleep -Milliseconds 100
                [Threading.Monitor]::Enter($s.SyncRoot)
                try { $s.Running-- } finally { [Threading.Monitor]::Exit($s.SyncRoot) }
            } -ThrottleLimit $Limit
            $state.Peak | Should -BeLessOrEqual $Limit
            $state.Peak | Should -BeGreaterOrEqual ([math]::Min($Limit, 2))
        }

        It 'runs items in parallel up to the limit' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $null = 1..10 | Invoke-ThreadPool { Start-Sleep -Milliseconds 500 } -ThrottleLimit 10
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3.5
        }

        It 'takes a huge -ThrottleLimit (<Limit>): memory follows the workers started, not the limit' -TestCases @(
            @{ Limit = [int]::MaxValue }, @{ Limit = 100000000 }
        ) {
            # The call is set up on this thread: what it allocates here is what the limit costs.
            $before = [GC]::GetAllocatedBytesForCurrentThread()
            $out = 1..3 | Invoke-ThreadPool -ThrottleLimit $Limit { $_ } -Ordered
            $allocated = [GC]::GetAllocatedBytesForCurrentThread() - $before
            $out | Should -Be 1, 2, 3
            $allocated | Should -BeLessThan 64MB
        }

        It 'refuses a -ThrottleLimit below 1' -TestCases @(@{ Limit = 0 }, @{ Limit = -1 }) {
            { 1 | Invoke-ThreadPool { $_ } -ThrottleLimit $Limit } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'defaults -ThrottleLimit to min(32, processors + 4), as ThreadPoolExecutor does' {
            $cmd = [PSThreading.Commands.InvokeThreadPoolCommand]::new()
            $cmd.ThrottleLimit | Should -Be ([Math]::Min(32, [Environment]::ProcessorCount + 4))
        }

        It 'refuses a timeout below zero other than -1, and NaN (InvalidTimeout)' -TestCases @(
            @{ Name = 'Timeout'; Value = -2 }, @{ Name = 'ItemTimeout'; Value = -0.5 }, @{ Name = 'ItemTimeout'; Value = [double]::NaN }
        ) {
            $splat = @{ $Name = $Value }
            { 1 | Invoke-ThreadPool { $_ } @splat } | Should -Throw -ErrorId 'InvalidTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
        }
    }

    Context 'exit in an item' {
        It 'ends that item with what it wrote before exit; the worker goes on (-ErrorAction Stop)' {
            $out = 1..4 | Invoke-ThreadPool {
                "before $_"
                if ($_ % 2 -eq 0) { exit 3 }
                "after $_"
            } -ThrottleLimit 1 -Ordered -ErrorAction Stop -ErrorVariable failures
            $out | Should -Be 'before 1', 'after 1', 'before 2', 'before 3', 'after 3', 'before 4'
            $failures | Should -BeNullOrEmpty
        }

        It 'treats exit 0 from a function the item calls the same way' {
            $out = 1..3 | Invoke-ThreadPool {
                function Stop-Here { exit 0 }
                $_
                Stop-Here
                'not reached'
            } -ThrottleLimit 2 -ErrorAction Stop
            ($out | Sort-Object) | Should -Be 1, 2, 3
        }

        It 'keeps what an item that throws wrote before it threw, as ForEach-Object -Parallel does' {
            $out = 1..2 | Invoke-ThreadPool { "partial $_"; if ($_ -eq 2) { throw 'boom' }; "done $_" } -ThrottleLimit 1 -Ordered -ErrorVariable failures -ErrorAction SilentlyContinue
            $out | Should -Be 'partial 1', 'done 1', 'partial 2'
            $failures.Count | Should -Be 1
        }
    }

    Context 'a caller preference value that a worker cannot take' {
        # Set-Variable and New-Variable skip the check that `$VerbosePreference = 'Invalid'` makes.
        It 'runs the pool and a worker thread with the default in its place (<Name>)' -TestCases @(
            @{ Name = 'VerbosePreference' }, @{ Name = 'ErrorActionPreference' }, @{ Name = 'ConfirmPreference' }
        ) {
            $result = & {
                Set-Variable -Name $Name -Value 'Invalid'
                $pool = 1..3 | Invoke-ThreadPool { $_ * 2 } -ErrorAction Stop
                $thread = Start-WorkerThread { 'ran' } | Wait-WorkerThread -ErrorAction Stop
                [pscustomobject]@{ Pool = $pool; Thread = $thread }
            }
            ($result.Pool | Sort-Object) | Should -Be 2, 4, 6
            $result.Thread | Should -Be 'ran'
        }

        It 'still passes the other preferences' {
            $out = & {
                Set-Variable -Name ConfirmPreference -Value 'Invalid'
                $WarningPreference = 'SilentlyContinue'
                1 | Invoke-ThreadPool { $WarningPreference.ToString() }
            }
            $out | Should -Be 'SilentlyContinue'
        }
    }

    Context 'errors' {
        It 'turns an item that throws into a non-terminating error whose target is the item' {
            $out = 1..5 | Invoke-ThreadPool { if ($_ -eq 3) { throw "bad item $_" }; $_ } -ErrorVariable failures -ErrorAction SilentlyContinue
            ($out | Sort-Object) | Should -Be 1, 2, 4, 5
            $failures.Count | Should -Be 1
            $failures[0].TargetObject | Should -Be 3
            $failures[0].Exception.Message | Should -Be 'bad item 3'
        }

        It 'keeps an object an item threw that is not an exception (throw @{ code = 5 })' {
            $null = 5, 6 | Invoke-ThreadPool { throw @{ code = $_ } } -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 2
            $failures.TargetObject | Sort-Object | Should -Be 5, 6
            foreach ($failure in $failures) {
                # Where PowerShell keeps it ($_.TargetObject of the item's own record), reached from the exception.
                $failure.Exception.ErrorRecord.TargetObject | Should -BeOfType ([hashtable])
                $failure.Exception.ErrorRecord.TargetObject.code | Should -Be $failure.TargetObject
            }
        }

        It 'stops the rest and throws the first error under -ErrorAction Stop' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $caught = $null
            $out = [Collections.Generic.List[object]]::new()
            try {
                1..40 | Invoke-ThreadPool { Start-Sleep -Milliseconds 100; if ($_ -eq 3) { throw 'stop here' }; $_ } -ThrottleLimit 2 -ErrorAction Stop |
                    ForEach-Object { $out.Add($_) }
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.Exception.Message | Should -BeLike '*stop here*'
            $out.Count | Should -BeLessThan 20
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
        }

        It 'passes errors written (not thrown) by items to the caller' {
            $out = 1 | Invoke-ThreadPool { Write-Error 'soft failure'; 'went on' } -ErrorVariable written -ErrorAction SilentlyContinue
            $out | Should -Be 'went on'
            $written.Count | Should -Be 1
            "$($written[0])" | Should -Be 'soft failure'
        }
    }

    Context 'streams' {
        It 'passes warnings, verbose, debug and information to the caller''s streams' {
            $warning = 1 | Invoke-ThreadPool { Write-Warning 'careful' } 3>&1
            "$warning" | Should -Be 'careful'
            $verbose = 1 | Invoke-ThreadPool { Write-Verbose 'details' } -Verbose 4>&1
            "$verbose" | Should -Be 'details'
            $debugRecord = 1 | Invoke-ThreadPool { Write-Debug 'inner' } -Debug 5>&1
            "$debugRecord" | Should -Be 'inner'
            $information = 1 | Invoke-ThreadPool { Write-Information 'fyi' } 6>&1
            "$information" | Should -Be 'fyi'
        }

        It 'passes Write-Host to the information stream, as PowerShell does' {
            $hostText = 1 | Invoke-ThreadPool { Write-Host 'shown' } 6>&1
            "$hostText" | Should -Be 'shown'
        }

        It 'honours the caller''s preferences: verbose stays silent by default' {
            $VerbosePreference = 'SilentlyContinue'
            $verbose = 1 | Invoke-ThreadPool { Write-Verbose 'hidden' } 4>&1
            $verbose | Should -BeNullOrEmpty
        }
    }

    Context 'timeouts' {
        It 'stops the whole call at -Timeout with a PoolTimeout error, after writing what finished' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = 1..6 | Invoke-ThreadPool { if ($_ -gt 2) { Start-Sleep -Seconds 30 }; $_ } -ThrottleLimit 6 -Timeout 1 -ErrorVariable failures -ErrorAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 4
            ($out | Sort-Object) | Should -Be 1, 2
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PoolTimeout*'
        }

        It 'throws PoolTimeout under -ErrorAction Stop' {
            { 1..2 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -Timeout 0.5 -ErrorAction Stop } | Should -Throw -ErrorId 'PoolTimeout*'
        }

        It 'writes held ordered results that finished before the timeout' {
            $out = 1..3 | Invoke-ThreadPool { if ($_ -eq 1) { Start-Sleep -Seconds 30 }; $_ } -Ordered -ThrottleLimit 3 -Timeout 1 -ErrorAction SilentlyContinue
            $out | Should -Be 2, 3
        }

        It 'stops an item past -ItemTimeout with an ItemTimeout error naming it; the others go on' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = 1..6 | Invoke-ThreadPool { if ($_ -eq 2) { Start-Sleep -Seconds 30 }; $_ } -ThrottleLimit 2 -ItemTimeout 0.5 -ErrorVariable failures -ErrorAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            ($out | Sort-Object) | Should -Be 1, 3, 4, 5, 6
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimeout*'
            $failures[0].TargetObject | Should -Be 2
            "$($failures[0])" | Should -BeLike "*'2'*"
        }

        It 'sets no limit with -<Name> <Value>' -TestCases @(
            @{ Name = 'ItemTimeout'; Value = -1 }, @{ Name = 'ItemTimeout'; Value = 1e300 }, @{ Name = 'ItemTimeout'; Value = [double]::PositiveInfinity }
            @{ Name = 'Timeout'; Value = -1 }, @{ Name = 'Timeout'; Value = 1e300 }, @{ Name = 'Timeout'; Value = [double]::PositiveInfinity }
        ) {
            $splat = @{ $Name = $Value }
            $out = 1..6 | Invoke-ThreadPool { Start-Sleep -Milliseconds 100; $_ } -ThrottleLimit 3 @splat -ErrorVariable failures -ErrorAction SilentlyContinue
            ($out | Sort-Object) | Should -Be (1..6)
            $failures | Should -BeNullOrEmpty
        }

        It 'keeps the throttle while an item is stopped and its worker restarts' {
            $out = 1..8 | Invoke-ThreadPool { if ($_ % 4 -eq 0) { Start-Sleep -Seconds 30 }; $_ } -ThrottleLimit 1 -ItemTimeout 0.3 -ErrorAction SilentlyContinue -Ordered
            $out | Should -Be 1, 2, 3, 5, 6, 7
        }
    }

    Context 'stopping' {
        It 'returns within a second of Ctrl+C (PowerShell.Stop), its workers stopped' {
            $ps = [powershell]::Create()
            try {
                # Each item registers as it starts: the stop comes once four run.
                $started = [System.Collections.Concurrent.ConcurrentDictionary[int, byte]]::new()
                $null = $ps.AddScript("param(`$started) Import-Module '$ModuleManifest'; 1..8 | Invoke-ThreadPool { `$null = (`$using:started).TryAdd(`$_, 0); Start-Sleep -Seconds 60 } -ThrottleLimit 4").AddArgument($started)
                $handle = $ps.BeginInvoke()
                Wait-Until { $started.Count -eq 4 } -Seconds 20
                (Get-PoolWorkerName).Count | Should -Be 4
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $clock.Elapsed.TotalSeconds | Should -BeLessThan 4 -Because 'the items sleep 60 s: Ctrl+C must not wait for them (under a second here when idle)'
                $handle.IsCompleted | Should -BeTrue
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
                Wait-PoolWorkersGone -Seconds 5 | Should -BeNullOrEmpty
            }
            finally {
                $ps.Dispose()
            }
        }
    }

    Context 'worker threads' {
        It 'names its workers ThreadPool-N_i, and an item''s current thread is its pool worker' {
            $names = 1..6 | Invoke-ThreadPool { Start-Sleep -Milliseconds 100; (Get-ActiveThread -Current).Name } -ThrottleLimit 3
            $names | ForEach-Object { $_ | Should -Match '^ThreadPool-\d+_[0-2]$' }
            @($names | ForEach-Object { ($_ -split '_')[0] } | Sort-Object -Unique).Count | Should -Be 1
            $next = 1 | Invoke-ThreadPool { (Get-ActiveThread -Current).Name }
            ($next -split '_')[0] | Should -Not -Be ($names[0] -split '_')[0]
        }

        It 'lists its workers in Get-ActiveThread while they are alive, and not after' {
            $seen = 1..3 | Invoke-ThreadPool {
                [pscustomobject]@{ Self = (Get-ActiveThread -Current).Name; Listed = @(Get-ActiveThread | ForEach-Object Name) }
            } -ThrottleLimit 2
            foreach ($item in $seen) {
                $item.Listed | Should -Contain 'MainThread'
                $item.Listed | Should -Contain $item.Self
            }
            Get-PoolWorkerName | Should -BeNullOrEmpty
        }

        It 'runs a pool inside an item without deadlock' {
            $result = Invoke-Bounded -Seconds 60 -Script @'
1..4 | Invoke-ThreadPool {
    $outer = $_
    $inner = 1..4 | Invoke-ThreadPool { $_ * 10 } -ThrottleLimit 2
    "$outer=$(($inner | Measure-Object -Sum).Sum)"
} -ThrottleLimit 2 -Ordered
'@
            $result.Output | Should -Be '1=100', '2=100', '3=100', '4=100'
        }

        It 'reuses warm workers: many small calls stay cheap' {
            $null = 1..4 | Invoke-ThreadPool { $_ }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            foreach ($i in 1..50) { $null = 1..10 | Invoke-ThreadPool { $_ } }
            ($clock.Elapsed.TotalMilliseconds / 50) | Should -BeLessThan 100
        }
    }

    Context 'progress' {
        It 'shows progress for a call that runs longer than a second, and completes it' {
            $result = Invoke-Bounded -Script '1..6 | Invoke-ThreadPool { Start-Sleep -Milliseconds 400 } -ThrottleLimit 1'
            $mine = @($result.Progress | Where-Object Activity -EQ 'Invoke-ThreadPool')
            $mine.Count | Should -BeGreaterThan 0
            $mine[-1].RecordType | Should -Be 'Completed'
            $mine | Where-Object StatusDescription -Like '* of 6 items done' | Should -Not -BeNullOrEmpty
        }

        It 'shows none with -NoProgress or $ProgressPreference SilentlyContinue' -TestCases @(
            @{ Script = '1..3 | Invoke-ThreadPool { Start-Sleep -Milliseconds 600 } -ThrottleLimit 1 -NoProgress' }
            @{ Script = '$ProgressPreference = ''SilentlyContinue''; 1..3 | Invoke-ThreadPool { Start-Sleep -Milliseconds 600 } -ThrottleLimit 1' }
        ) {
            $result = Invoke-Bounded -Script $Script
            @($result.Progress | Where-Object Activity -EQ 'Invoke-ThreadPool').Count | Should -Be 0
        }

        It 'shows none for a call under a second' {
            $result = Invoke-Bounded -Script '1..3 | Invoke-ThreadPool { $_ }'
            @($result.Progress | Where-Object Activity -EQ 'Invoke-ThreadPool').Count | Should -Be 0
        }
    }
}

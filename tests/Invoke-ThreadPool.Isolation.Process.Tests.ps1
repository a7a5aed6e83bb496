BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Issue 23: -Isolation Process runs pool items in warm pwsh child processes. Child processes are checked by id from
# the caller (Get-Process -Id). The machine is loaded: a cold start can take seconds, so bounds are generous.
Describe 'Invoke-ThreadPool -Isolation Process' {
    BeforeAll {
        # Warms three processes: the tests below mostly run on them.
        $script:Warm = @(1..6 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 3 { Start-Sleep -Milliseconds 200; $PID } | Sort-Object -Unique)
    }

    Context 'processes' {
        It 'runs items in child processes of this pwsh, never in it' {
            $Warm | Should -Not -Contain $PID
            foreach ($id in $Warm) { (Get-Process -Id $id).Id | Should -Be $id }
        }

        It 'runs 20 items with -ThrottleLimit 3 on at most 3 processes, each running many' {
            $ids = @(1..20 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 3 { Start-Sleep -Milliseconds 20; $PID })
            $ids.Count | Should -Be 20
            @($ids | Sort-Object -Unique).Count | Should -BeLessOrEqual 3
        }

        It 'keeps the processes warm for the next call' {
            $first = @(1..6 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 2 { $PID } | Sort-Object -Unique)
            $second = @(1..6 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 2 { $PID } | Sort-Object -Unique)
            foreach ($id in $second) { $first + $Warm | Should -Contain $id }
        }

        It 'imports PSThreading in each process' {
            1 | Invoke-ThreadPool -Isolation Process { [bool] (Get-Module PSThreading) -and [bool] (Get-Command New-ThreadLock) } | Should -BeTrue
        }
    }

    Context 'what crosses' {
        It 'gives the block $_, -ArgumentList and $using: values (including $using:env:)' {
            $factor = 3
            $env:PSTHREADING_TEST_VALUE = 'from-caller'
            try {
                $out = 1..4 | Invoke-ThreadPool -Isolation Process -Ordered -ArgumentList 'arg' {
                    param($a) "$($_ * $using:factor) $a $using:env:PSTHREADING_TEST_VALUE"
                }
                $out | Should -Be '3 arg from-caller', '6 arg from-caller', '9 arg from-caller', '12 arg from-caller'
            }
            finally { Remove-Item Env:PSTHREADING_TEST_VALUE }
        }

        It 'makes script blocks given as an item, -ArgumentList, an array of them, $using: or to -Begin blocks again in the child' {
            $viaUsing = { "using $args" }
            $out = { 'piped' } | Invoke-ThreadPool -Isolation Process -ThrottleLimit 1 -ArgumentList { "arg $args" }, @({ 'first' }, { 'second' }) -Begin {
                param($f, $list) $global:FromBegin = & $using:viaUsing 'begin'
            } {
                param($f, $list)
                & $_
                & $f 1
                & $list[1]
                & $using:viaUsing 2
                $global:FromBegin
                ($using:viaUsing).GetType().Name
            }
            $out | Should -Be 'piped', 'arg 1', 'second', 'using 2', 'using begin', 'ScriptBlock'
        }

        It 'keeps the Start-Job habit working: [scriptblock]::Create($using:block)' {
            $block = { 'made again' }
            1 | Invoke-ThreadPool -Isolation Process { & ([scriptblock]::Create($using:block)) } | Should -Be 'made again'
        }

        It 'says to pass -Function when an item calls a function the caller has' {
            function Get-CallerOnlyDouble($x) { $x * 2 }
            $null = 1 | Invoke-ThreadPool -Isolation Process { Get-CallerOnlyDouble $_ } -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            "$($failures[0])" | Should -Match 'pass -Function Get-CallerOnlyDouble'
        }

        It 'refuses -Isolation Process with -Session or -UseNewRunspace (IsolationConflict)' {
            { 1 | Invoke-ThreadPool -Isolation Process -UseNewRunspace { $_ } } | Should -Throw -ErrorId 'IsolationConflict,*'
        }

        It 'returns output deserialized, as Start-Job does' {
            $out = 1 | Invoke-ThreadPool -Isolation Process { [pscustomobject]@{ Name = 'n'; Value = 2 } }
            $out.Name | Should -Be 'n'
            $out.Value | Should -Be 2
            $out.PSObject.TypeNames[0] | Should -Be 'Deserialized.System.Management.Automation.PSCustomObject'
        }

        It 'defines -Function and imports -Module (by the caller''s path) in the process' {
            $folder = Join-Path $TestDrive 'ProcMod'
            $null = New-Item -ItemType Directory -Path $folder -Force
            Set-Content -Path (Join-Path $folder 'ProcMod.psm1') -Value 'function Get-ProcModValue { "mod-$PID" }'
            Import-Module (Join-Path $folder 'ProcMod.psm1')
            function Get-Doubled { param($n) $n * 2 }
            try {
                $out = @(1..2 | Invoke-ThreadPool -Isolation Process -Ordered -Function Get-Doubled -Module ProcMod { "$(Get-Doubled $_) $(Get-ProcModValue)" })
                $out[0] | Should -Match '^2 mod-\d+$'
                $out[1] | Should -Match '^4 mod-\d+$'
                $out[0] | Should -Not -Be "2 mod-$PID"
            }
            finally { Remove-Module ProcMod }
        }

        It 'runs -Begin once per process, in the scope its items see, and -End once per process' {
            $out = @(1..12 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 2 -Begin { $login = "login-$PID" } -End { "end-$PID" } {
                Start-Sleep -Milliseconds 20; "$login $PID"
            })
            $items = @($out | Where-Object { $_ -like 'login-*' })
            $items.Count | Should -Be 12
            foreach ($line in $items) { $parts = $line -split ' '; $parts[0] | Should -Be "login-$($parts[1])" }
            $ends = @($out | Where-Object { $_ -like 'end-*' })
            $pids = @($items | ForEach-Object { ($_ -split ' ')[1] } | Sort-Object -Unique)
            # A process that started while the items ran out runs -Begin and -End with no item: once each all the same.
            @($ends | Sort-Object -Unique).Count | Should -Be $ends.Count
            foreach ($id in $pids) { $ends | Should -Contain "end-$id" }
        }
    }

    Context 'isolation' {
        It 'keeps $env:, process-wide data and the location of an item in its own process' {
            $before = (Get-Location).Path
            $out = 1 | Invoke-ThreadPool -Isolation Process {
                $env:PSTHREADING_ITEM_SET = 'x'
                [AppDomain]::CurrentDomain.SetData('PSThreadingItemSet', 'x')
                Set-Location ([IO.Path]::GetTempPath())
                'done'
            }
            $out | Should -Be 'done'
            $env:PSTHREADING_ITEM_SET | Should -BeNullOrEmpty
            [AppDomain]::CurrentDomain.GetData('PSThreadingItemSet') | Should -BeNullOrEmpty
            (Get-Location).Path | Should -Be $before
        }

        It 'starts every item in the caller''s location, whatever an earlier item did' {
            $here = (Get-Location).ProviderPath
            $out = @(1..4 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 1 -Ordered { $where = $PWD.ProviderPath; Set-Location /; $where })
            foreach ($where in $out) { $where | Should -Be $here }
        }

        It 'does not carry a global an item set into the next call' {
            $null = 1..3 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 1 { $global:PSThreadingLeft = 'left' }
            $out = @(1..3 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 1 { "[$global:PSThreadingLeft]" })
            foreach ($line in $out) { $line | Should -Be '[]' }
        }
    }

    Context 'streams' {
        It 'writes errors with their ids, warnings, verbose and information records' {
            $info = $null
            $out = 1 | Invoke-ThreadPool -Isolation Process {
                Write-Error -ErrorId 'ItemFailedHere' -Message 'bad item'
                Write-Warning 'careful'
                Write-Verbose 'detail' -Verbose
                Write-Information 'note'
                'value'
            } -ErrorVariable errs -WarningVariable warns -InformationVariable info -ErrorAction SilentlyContinue 3>$null 4>&1
            ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Be 'detail'
            $out | Where-Object { $_ -is [string] } | Should -Be 'value'
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ItemFailedHere*'
            $errs[0].ToString() | Should -Be 'bad item'
            $warns[0].Message | Should -Be 'careful'
            $info.MessageData | Should -Contain 'note'
        }

        It 'shows Write-Host as host information with its colour' {
            $null = 1 | Invoke-ThreadPool -Isolation Process { Write-Host 'hello host' -ForegroundColor Green } -InformationVariable info 6>$null
            $hostRecord = $info | Where-Object { $_.Tags -contains 'PSHOST' }
            $hostRecord.MessageData | Should -BeOfType [System.Management.Automation.HostInformationMessage]
            $hostRecord.MessageData.Message | Should -Be 'hello host'
            $hostRecord.MessageData.ForegroundColor | Should -Be ([ConsoleColor]::Green)
        }

        It 'fails an item whose Read-Host cannot be answered with PromptNotAnswered' {
            $null = 1 | Invoke-ThreadPool -Isolation Process { Read-Host 'your name' } -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PromptNotAnswered,*'
        }

        It 'fails a throwing item alone, with its message' {
            $out = @(1..3 | Invoke-ThreadPool -Isolation Process -Ordered { if ($_ -eq 2) { throw 'item two broke' }; $_ } -ErrorVariable errs -ErrorAction SilentlyContinue)
            $out | Should -Be 1, 3
            $errs.Count | Should -Be 1
            $errs[0].ToString() | Should -Be 'item two broke'
        }
    }

    Context 'NotAcrossProcesses' {
        It 'refuses a <Kind> before anything starts' -TestCases @(
            @{ Kind = 'ThreadLock'; Make = { New-ThreadLock } }
            @{ Kind = 'ThreadSemaphore'; Make = { New-ThreadSemaphore -Count 2 } }
            @{ Kind = 'ThreadQueue'; Make = { New-ThreadQueue } }
            @{ Kind = 'ThreadEvent'; Make = { New-ThreadEvent } }
            @{ Kind = 'ThreadCondition'; Make = { New-ThreadCondition } }
            @{ Kind = 'ThreadBarrier'; Make = { New-ThreadBarrier -Parties 2 } }
            @{ Kind = 'WorkerThread'; Make = { Start-WorkerThread { 1 } } }
        ) {
            param($Kind, $Make)
            $value = & $Make
            $ran = [hashtable]::Synchronized(@{ Count = 0 })
            $asArgument = { 1..2 | Invoke-ThreadPool -Isolation Process -ArgumentList $value { $env:PSTHREADING_RAN = 1; 'ran' } }
            $asUsing = { 1..2 | Invoke-ThreadPool -Isolation Process { $null = $using:value; 'ran' } }
            $asNested = { 1..2 | Invoke-ThreadPool -Isolation Process -ArgumentList @{ Inner = @($value) } { 'ran' } }
            foreach ($call in $asArgument, $asUsing, $asNested) {
                $err = $null
                $out = try { & $call } catch { $err = $_ }
                $out | Should -BeNullOrEmpty
                $err.FullyQualifiedErrorId | Should -BeLike 'NotAcrossProcesses*'
                $err.Exception.Message | Should -Match $Kind
                $err.Exception.Message | Should -Match 'Scope Machine|Isolation Runspace|plain data|ThrottleLimit'
            }
            if ($value -is [PSThreading.Core.Threads.WorkerThread]) { $null = $value | Wait-WorkerThread }
        }

        It 'lets a machine lock cross by its name, and keeps a counter exact across processes' {
            $name = "psthreading-proc-test-$PID"
            $lock = New-ThreadLock -Name $name -Scope Machine
            $file = Join-Path $TestDrive 'counter.txt'
            Set-Content -Path $file -Value 0
            $null = 1..12 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 3 -ArgumentList $lock, $file {
                param($l, $path)
                $l.Acquire()
                try {
                    $n = [int] (Get-Content -Path $path)
                    Start-Sleep -Milliseconds 5
                    Set-Content -Path $path -Value ($n + 1)
                }
                finally { $l.Release() }
            }
            [int] (Get-Content -Path $file) | Should -Be 12
        }

        It 'finds a machine lock again when it comes as a $using: value or in an array' {
            $lock = New-ThreadLock -Name "psthreading-proc-using-$PID" -Scope Machine
            $out = 1 | Invoke-ThreadPool -Isolation Process -ArgumentList (, @($lock, 'data')) {
                param($pair)
                ($using:lock).GetType().Name
                ($using:lock).Name
                $pair[0].GetType().Name
                $pair[1]
            }
            $out | Should -Be 'ThreadLock', "psthreading-proc-using-$PID", 'ThreadLock', 'data'
        }
    }

    Context 'calling APIs (issue 24)' {
        It 'retries in the process with $PSThreadingAttempt, dropping the failed attempt''s output, and -RetryOn matches the deserialized type' {
            $results = 1..3 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 3 -MaxRetries 2 -RetryDelay 0.05 -RetryOn TimeoutException {
                "$_ attempt $PSThreadingAttempt"
                if ($PSThreadingAttempt -lt 2) { throw [TimeoutException]::new("item $_ timed out") }
            } -ErrorVariable failures
            $failures | Should -BeNullOrEmpty
            $results | Sort-Object | Should -Be '1 attempt 2', '2 attempt 2', '3 attempt 2'
            # An error -RetryOn does not name is not retried: one attempt (its output written, as on a thread), one error.
            $other = 1 | Invoke-ThreadPool -Isolation Process -MaxRetries 2 -RetryDelay 0.05 -RetryOn TimeoutException {
                "attempt $PSThreadingAttempt"; throw [ArgumentException]::new('not a timeout')
            } -ErrorVariable failures -ErrorAction SilentlyContinue
            $other | Should -Be 'attempt 1'
            $failures.Count | Should -Be 1
        }

        It 'honours a server''s Retry-After from the process: the retry waits it, not the short backoff' {
            . (Join-Path $PSScriptRoot 'HttpApi.ps1')
            $api = Start-TestApi -RetryAfterSeconds 2
            $port = $api.Port
            try {
                $results = 1..2 | Invoke-ThreadPool -Isolation Process -MaxRetries 2 -RetryDelay 0.05 -RetryOn 429 {
                    $null = Invoke-RestMethod "http://127.0.0.1:$using:port/p/$_"
                    "$_ attempt $PSThreadingAttempt"
                }
                $results | Sort-Object | Should -Be '1 attempt 2', '2 attempt 2'
                $waits = @(Get-TestApiRetryWait $api)
                $waits.Count | Should -Be 2
                # Without the header crossing, the backoff of 0.05 s would send the retry at once.
                foreach ($wait in $waits) { $wait.Seconds | Should -BeGreaterThan 1.8 -Because "$($wait.Path) was told to wait 2 s" }
            }
            finally { Stop-TestApi $api }
        }

        It 'starts at most -RateLimit items per period across the processes, and one item of a key at a time' {
            $starts = @(1..6 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 3 -RateLimit 2 { [datetime]::UtcNow.Ticks })
            $at = @($starts | Sort-Object | ForEach-Object { $_ / 1e7 })
            ($at[-1] - $at[0]) | Should -BeGreaterThan 1.8
            foreach ($start in $at) { @($at | Where-Object { $_ -ge $start -and $_ -lt $start + 0.9 }).Count | Should -BeLessOrEqual 2 }

            $spans = @(1..4 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 3 -ThrottleKey { 'one key' } {
                $from = [datetime]::UtcNow.Ticks; Start-Sleep -Milliseconds 200; [pscustomobject]@{ From = $from; To = [datetime]::UtcNow.Ticks }
            } | Sort-Object From)
            $spans.Count | Should -Be 4
            for ($i = 1; $i -lt 4; $i++) { $spans[$i].From | Should -BeGreaterOrEqual $spans[$i - 1].To }
        }
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Wait-WorkerThread' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    It 'writes output thread by thread in the order given, each object once' {
        $slow = Start-WorkerThread { Start-Sleep -Milliseconds 300; 'slow-1'; 'slow-2' }
        $fast = Start-WorkerThread { 'fast' }
        Wait-WorkerThread -Thread $slow, $fast -Timeout 10 | Should -Be @('slow-1', 'slow-2', 'fast')
        Wait-WorkerThread -Thread $slow, $fast -Timeout 10 | Should -BeNullOrEmpty
    }

    It 'takes threads from the pipeline' {
        $threads = 1..3 | ForEach-Object { Start-WorkerThread { param($n) $n * 10 } -ArgumentList $_ }
        $threads | Wait-WorkerThread -Timeout 10 | Should -Be @(10, 20, 30)
    }

    It 'writes the threads themselves with -PassThru' {
        $thread = Start-WorkerThread { 'kept' }
        $out = $thread | Wait-WorkerThread -PassThru -Timeout 10
        $out | Should -Be $thread
        $out.State | Should -Be 'Completed'
    }

    It 'returns at -Timeout with the thread still running and writes nothing for it' {
        $thread = Start-WorkerThread { Start-Sleep -Seconds 5; 'late' }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = $thread | Wait-WorkerThread -Timeout 0.3
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 1.2
        $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.25
        $out | Should -BeNullOrEmpty
        $thread.IsAlive | Should -BeTrue
    }

    It 'waits to the end with -Timeout <Timeout>, which means no limit<Any>' -TestCases @(
        @{ Timeout = -1; Any = '' }
        @{ Timeout = 1e300; Any = '' }
        @{ Timeout = [double]::PositiveInfinity; Any = '' }
        @{ Timeout = -1; Any = ' (-Any)' }
        @{ Timeout = 1e300; Any = ' (-Any)' }
        @{ Timeout = [double]::PositiveInfinity; Any = ' (-Any)' }
    ) {
        param($Timeout, $Any)
        $thread = Start-WorkerThread { Start-Sleep -Milliseconds 300; 'finished' }
        $out = $thread | Wait-WorkerThread -Timeout $Timeout -Any:([bool]$Any)
        $out | Should -Be 'finished'
        $thread.IsAlive | Should -BeFalse
    }

    It 'does not wait at all with -Timeout 0, writing what has finished' {
        $done = Start-WorkerThread { 'done' }
        $null = $done | Wait-WorkerThread -PassThru -Timeout 10
        $slow = Start-WorkerThread { Start-Sleep -Seconds 5; 'late' }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = Wait-WorkerThread -Thread $done, $slow -Timeout 0
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 1
        $out | Should -Be 'done'
        $slow.IsAlive | Should -BeTrue
    }

    It 'returns with -Any as soon as one thread ends, writing its output' {
        $slow = Start-WorkerThread { Start-Sleep -Seconds 5; 'slow' }
        $fast = Start-WorkerThread { Start-Sleep -Milliseconds 200; 'fast' }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Wait-WorkerThread -Thread $slow, $fast -Any -Timeout 10 | Should -Be 'fast'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
        $slow.IsAlive | Should -BeTrue
    }

    It "writes a failed thread's error as a non-terminating record with the thread and the original exception" {
        $thread = Start-WorkerThread { 'before'; throw [System.IO.FileNotFoundException]::new('no such file') }
        $out = $thread | Wait-WorkerThread -Timeout 10 -ErrorVariable failures -ErrorAction SilentlyContinue
        $out | Should -Be 'before'
        $thread.State | Should -Be 'Failed'
        $thread.Error | Should -BeOfType ([System.IO.FileNotFoundException])
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'WorkerThreadFailed,PSThreading.Commands.WaitWorkerThreadCommand'
        $failures[0].TargetObject | Should -Be $thread
        $failures[0].Exception | Should -BeOfType ([System.IO.FileNotFoundException])
        $failures[0].Exception.Message | Should -Be 'no such file'
    }

    It 'keeps an object the block threw that is not an exception (throw @{ code = 5 })' {
        $thread = Start-WorkerThread { throw @{ code = 5 } }
        $null = $thread | Wait-WorkerThread -Timeout 10 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'WorkerThreadFailed,PSThreading.Commands.WaitWorkerThreadCommand'
        $failures[0].TargetObject | Should -Be $thread
        # Where PowerShell keeps it ($_.TargetObject of the original record), reached from the exception.
        $failures[0].Exception.ErrorRecord.TargetObject | Should -BeOfType ([hashtable])
        $failures[0].Exception.ErrorRecord.TargetObject.code | Should -Be 5
        $thread.Error.ErrorRecord.TargetObject.code | Should -Be 5
        $again = Start-WorkerThread { throw 'plain text' }
        try { $again | Wait-WorkerThread -Timeout 10 -ErrorAction Stop } catch { $caught = $_ }
        $caught.Exception.ErrorRecord.TargetObject | Should -Be 'plain text'
        $caught.Exception.Message | Should -Be 'plain text'
    }

    It 'reports a failure once when several joins race on the failed thread' {
        # Each round, four workers and the caller join one thread that fails when released: together they
        # must write its WorkerThreadFailed exactly once.
        foreach ($round in 1..10) {
            $gate = [System.Threading.ManualResetEventSlim]::new($false)
            $failing = Start-WorkerThread -ArgumentList $gate { param($gate) $null = $gate.Wait(20000); throw 'boom' }
            $joiners = 1..4 | ForEach-Object {
                Start-WorkerThread -ArgumentList $failing {
                    param($t)
                    $null = $t | Wait-WorkerThread -Timeout 20 -ErrorVariable seen -ErrorAction SilentlyContinue
                    @($seen).Count
                }
            }
            Start-Sleep -Milliseconds 100
            $gate.Set()
            $null = $failing | Wait-WorkerThread -Timeout 20 -ErrorVariable mine -ErrorAction SilentlyContinue
            $counts = $joiners | Wait-WorkerThread -Timeout 20
            $counts.Count | Should -Be 4
            (($counts | Measure-Object -Sum).Sum + @($mine).Count) | Should -Be 1 -Because "round $round"
            $gate.Dispose()
        }
    }

    It 'throws the failure under -ErrorAction Stop' {
        $thread = Start-WorkerThread { throw 'boom' }
        { $thread | Wait-WorkerThread -Timeout 10 -ErrorAction Stop } | Should -Throw -ErrorId 'WorkerThreadFailed,PSThreading.Commands.WaitWorkerThreadCommand'
    }

    It 'brings back errors written inside the worker, in order, among the output' {
        $ErrorActionPreference = 'Continue'
        $thread = Start-WorkerThread { 'one'; Write-Error 'first problem'; 'two'; Write-Error 'second problem' }
        $out = $thread | Wait-WorkerThread -Timeout 10 -ErrorVariable written -ErrorAction SilentlyContinue
        $out | Should -Be @('one', 'two')
        $written.Count | Should -Be 2
        # The message names the thread (issue 13); the exception is the worker's own.
        "$($written[0])" | Should -Be "[$($thread.Name)] first problem"
        "$($written[1])" | Should -Be "[$($thread.Name)] second problem"
        $written[0].Exception.Message | Should -Be 'first problem'
        $thread.State | Should -Be 'Completed'
    }

    It 'refuses to wait for the calling thread itself' {
        $thread = Start-WorkerThread { $ErrorActionPreference = 'Stop'; Get-ActiveThread -Current | Wait-WorkerThread -Timeout 5 }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = $thread | Wait-WorkerThread -Timeout 10 -ErrorVariable failures -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 4
        $thread.State | Should -Be 'Failed'
        $failures[0].Exception.Message | Should -Match 'cannot wait for itself'
        { Get-ActiveThread -Main | Wait-WorkerThread -Timeout 5 } | Should -Throw -ErrorId 'CannotWaitOnCurrentThread,PSThreading.Commands.WaitWorkerThreadCommand'
    }

    It 'ends the wait on Ctrl+C (PowerShell.Stop) and leaves the thread running' {
        $name = "ctrlc-$([guid]::NewGuid().ToString('n'))"
        $ps = [powershell]::Create()
        try {
            $box = [hashtable]::Synchronized(@{})
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$args[0].Thread = [Threading.Thread]::CurrentThread; Start-WorkerThread -Name $name { Start-Sleep -Seconds 20 } | Wait-WorkerThread").AddArgument($box)
            $async = $ps.BeginInvoke()
            # The stop comes once the join blocks: the thread is listed and the pipeline thread sleeps in its wait.
            Wait-Until { (Get-ActiveThread -Name $name -ErrorAction Ignore) -and ($box.Thread.ThreadState -band [Threading.ThreadState]::WaitSleepJoin) }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3 -Because 'the thread runs 20 s: Ctrl+C must not wait for it'
            $async.IsCompleted | Should -BeTrue
            (Get-ActiveThread -Name $name).IsAlive | Should -BeTrue
        }
        finally {
            Get-ActiveThread -Name $name -ErrorAction Ignore | Stop-WorkerThread -WarningAction SilentlyContinue
            $ps.Dispose()
        }
    }

    Context 'by name and id' {
        It 'waits for the threads named by -Name, wildcards allowed, writing their output in start order' {
            $tag = [guid]::NewGuid().ToString('n').Substring(0, 6)
            $null = Start-WorkerThread -Name "byname-$tag-a" { Start-Sleep -Milliseconds 300; 'a' }
            $null = Start-WorkerThread -Name "byname-$tag-b" { 'b' }
            Wait-WorkerThread -Name "byname-$tag-*" -Timeout 30 | Should -Be @('a', 'b')
            Wait-WorkerThread -Name "BYNAME-$tag-A" -ErrorAction SilentlyContinue -ErrorVariable gone | Should -BeNullOrEmpty
            $gone[0].FullyQualifiedErrorId | Should -Be 'ThreadNotFound,PSThreading.Commands.WaitWorkerThreadCommand'
        }

        It 'waits for the thread with -Id, and takes -Any, -AsCompleted and -PassThru with it' {
            $slow = Start-WorkerThread { Start-Sleep -Milliseconds 800; 'slow' }
            $fast = Start-WorkerThread { 'fast' }
            Wait-WorkerThread -Id $slow.ManagedThreadId, $fast.ManagedThreadId -AsCompleted -Timeout 30 | Should -Be @('fast', 'slow')
            $again = Start-WorkerThread { 'again' }
            (Wait-WorkerThread -Id $again.ManagedThreadId -PassThru -Timeout 30).Name | Should -Be $again.Name
        }

        It 'reports a name or id that matches no thread as a non-terminating ThreadNotFound error, not a wildcard' {
            $worker = Start-WorkerThread { 'still here' }
            $out = Wait-WorkerThread -Name 'no-such-thread', $worker.Name -Timeout 30 -ErrorVariable missing -ErrorAction SilentlyContinue
            $out | Should -Be 'still here'
            $missing.Count | Should -Be 1
            $missing[0].FullyQualifiedErrorId | Should -Be 'ThreadNotFound,PSThreading.Commands.WaitWorkerThreadCommand'
            $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $missing[0].TargetObject | Should -Be 'no-such-thread'
            Wait-WorkerThread -Id 2147483000 -ErrorVariable noId -ErrorAction SilentlyContinue
            $noId[0].FullyQualifiedErrorId | Should -Be 'ThreadNotFound,PSThreading.Commands.WaitWorkerThreadCommand'
            Wait-WorkerThread -Name 'no-such-*' -ErrorVariable none
            $none | Should -BeNullOrEmpty
        }

        It 'finds a thread that ended with unread output, until it is joined' {
            $thread = Start-WorkerThread -Name "unread-$([guid]::NewGuid().ToString('n').Substring(0, 6))" { 'kept' }
            Wait-Until { -not $thread.IsAlive }
            (Get-ActiveThread).Name | Should -Not -Contain $thread.Name
            (Get-ActiveThread -Name $thread.Name).ManagedThreadId | Should -Be $thread.ManagedThreadId
            (Get-ActiveThread -Id $thread.ManagedThreadId).Name | Should -Be $thread.Name
            Wait-WorkerThread -Name $thread.Name | Should -Be 'kept'
            Get-ActiveThread -Name $thread.Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-ActiveThread -Id $thread.ManagedThreadId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Context 'bad input' {
        It 'refuses <Case> with <ErrorId>' -TestCases @(
            @{ Case = 'a negative timeout other than -1'; Call = { Start-WorkerThread { 1 } | Wait-WorkerThread -Timeout -2 }; ErrorId = 'InvalidTimeout,PSThreading.Commands.WaitWorkerThreadCommand' }
            @{ Case = 'a NaN timeout'; Call = { Start-WorkerThread { 1 } | Wait-WorkerThread -Timeout ([double]::NaN) }; ErrorId = 'InvalidTimeout,PSThreading.Commands.WaitWorkerThreadCommand' }
            @{ Case = 'a thread that is not this module''s'; Call = { Wait-WorkerThread -Thread ([System.Threading.Thread]::CurrentThread) }; ErrorId = 'ParameterArgumentTransformationError,PSThreading.Commands.WaitWorkerThreadCommand' }
            @{ Case = 'a null thread'; Call = { Wait-WorkerThread -Thread $null }; ErrorId = 'ParameterArgumentValidationError,PSThreading.Commands.WaitWorkerThreadCommand' }
        ) {
            param($Case, $Call, $ErrorId)
            { & $Call } | Should -Throw -ErrorId $ErrorId
        }

        It 'refuses a string piped in, saying to use -Name' {
            'Thread-1' | Wait-WorkerThread -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused[0].FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,PSThreading.Commands.WaitWorkerThreadCommand'
            $refused[0].Exception.Message | Should -Match ([regex]::Escape("-Name 'Thread-1'"))
        }
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# $PSThreadingMode = 'Inline': Invoke-ThreadPool and Start-WorkerThread run their blocks on the caller's
# thread, in the caller's session state, one at a time, so that commands resolve as in the caller.
Describe '$PSThreadingMode' {
    AfterEach {
        Stop-LeftoverWorker
        Remove-Variable -Name PSThreadingMode -Scope Global -ErrorAction Ignore
    }

    Context 'the preference variable' {
        It 'runs items on worker threads by default and with Threads' {
            $me = [Environment]::CurrentManagedThreadId
            (1 | Invoke-ThreadPool { [Environment]::CurrentManagedThreadId }) | Should -Not -Be $me
            $PSThreadingMode = 'Threads'
            (1 | Invoke-ThreadPool { [Environment]::CurrentManagedThreadId }) | Should -Not -Be $me
        }

        It 'runs items on the caller''s thread with Inline, read from the caller''s scope, in any case' {
            $me = [Environment]::CurrentManagedThreadId
            $PSThreadingMode = 'inline'
            & { (1..3 | Invoke-ThreadPool { [Environment]::CurrentManagedThreadId }) | Should -Be @($me, $me, $me) }
        }

        It 'reaches code inside a module through $global:PSThreadingMode' {
            $module = New-Module -Name InlineProbe { function Get-ItemThread { 1 | Invoke-ThreadPool { [Environment]::CurrentManagedThreadId } } }
            try {
                $global:PSThreadingMode = 'Inline'
                & $module { Get-ItemThread } | Should -Be ([Environment]::CurrentManagedThreadId)
            }
            finally {
                Remove-Module $module
            }
        }

        It 'refuses any other value with InvalidThreadingMode naming the valid values, and starts nothing' -TestCases @(
            @{ Command = { 1 | Invoke-ThreadPool { $_ } } }
            @{ Command = { Start-WorkerThread { 1 } } }
        ) {
            $before = @(Get-ActiveThread).Count
            $PSThreadingMode = 'Parallel'
            $err = { & $Command } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'InvalidThreadingMode,*'
            $err.Exception.Message | Should -BeLike "*'Threads'*'Inline'*"
            @(Get-ActiveThread).Count | Should -Be $before
        }
    }

    Context 'Invoke-ThreadPool, inline' {
        BeforeAll {
            $PSThreadingMode = 'Inline'
        }

        It 'gives each item as $_ and $PSItem and writes the results in input order' {
            $out = 1..20 | Invoke-ThreadPool { $_ * 2; $PSItem + 0.5 } -ThrottleLimit 4
            $out | Should -Be (1..20 | ForEach-Object { $_ * 2; $_ + 0.5 })
            Invoke-ThreadPool -InputObject 3, 1, 2 { $_ } -Ordered | Should -Be 3, 1, 2
        }

        It 'resolves the caller''s own functions' {
            function Get-CallerOnly { param($n) "caller sees $n" }
            1, 2 | Invoke-ThreadPool { Get-CallerOnly $_ } | Should -Be 'caller sees 1', 'caller sees 2'
        }

        It 'reads $using: values, with member and index expressions and inside nested blocks' {
            $word = 'hi'
            $table = @{ Count = 7 }
            $list = 10, 20, 30
            $lock = New-ThreadLock
            $out = 1 | Invoke-ThreadPool {
                $using:word; $using:table.Count; $using:list[1]
                & { "nested $using:word" }
                Invoke-WithLock $using:lock { "locked $using:word" }
            }
            $out | Should -Be 'hi', 7, 20, 'nested hi', 'locked hi'
        }

        It 'passes -ArgumentList to the block''s parameters and $args' {
            Invoke-ThreadPool -InputObject 1 { param($a, $b) "$_ $a $b $($args.Count)" } -ArgumentList 'x', 'y', 'z' |
                Should -Be '1 x y 1'
        }

        It 'writes an item''s terminating error with the item as TargetObject and the original ErrorId; the others run' {
            $out = 1..3 | Invoke-ThreadPool {
                if ($_ -eq 2) { throw [System.IO.IOException]::new("disk $_") }
                if ($_ -eq 3) { Write-Error -Message 'soft' -ErrorId 'SoftFailure' }
                $_
            } -ErrorVariable errs 2>$null
            $out | Should -Be 1, 3
            $errs.Count | Should -Be 2
            $hard = $errs | Where-Object { $_.Exception -is [System.IO.IOException] }
            $hard.TargetObject | Should -Be 2
            $hard.Exception.Message | Should -Be 'disk 2'
            ($errs | Where-Object FullyQualifiedErrorId -Like 'SoftFailure*') | Should -Not -BeNullOrEmpty
        }

        It 'stops the call at the first error under -ErrorAction Stop: later items do not run' {
            $ran = [System.Collections.Generic.List[int]]::new()
            { 1..5 | Invoke-ThreadPool { ($using:ran).Add($_); if ($_ -eq 2) { throw 'stop here' } } -ErrorAction Stop } |
                Should -Throw '*stop here*'
            $ran | Should -Be 1, 2
        }

        It 'stops an item past -ItemTimeout with the ItemTimeout error naming it; the next items run' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = 1..3 | Invoke-ThreadPool { if ($_ -eq 2) { Start-Sleep -Seconds 20 }; $_ } -ItemTimeout 0.5 -ErrorVariable errs 2>$null
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $out | Should -Be 1, 3
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimeout,*'
            $errs[0].TargetObject | Should -Be 2
        }

        It 'runs no item under -ItemTimeout 0: each gets the ItemTimeout error' {
            $out = 1, 2 | Invoke-ThreadPool { 'ran' } -ItemTimeout 0 -ErrorVariable errs 2>$null
            $out | Should -BeNullOrEmpty
            @($errs | ForEach-Object TargetObject) | Should -Be 1, 2
            @($errs | Where-Object FullyQualifiedErrorId -Like 'ItemTimeout,*').Count | Should -Be 2
        }

        It 'stops at -Timeout: the running item is stopped, later items do not run, PoolTimeout says how many finished' {
            $ran = [System.Collections.Generic.List[int]]::new()
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = 1..10 | Invoke-ThreadPool { ($using:ran).Add($_); if ($_ -eq 2) { Start-Sleep -Seconds 20 }; $_ } -Timeout 0.5 -ErrorVariable errs 2>$null
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $out | Should -Be 1
            $ran | Should -Be 1, 2
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'PoolTimeout,*'
            $errs[0].Exception.Message | Should -BeLike '*1 of the 2 items read so far had finished*'
        }

        It 'writes warnings and verbose records to the cmdlet''s streams, and -Verbose reaches the items' {
            $null = 1, 2 | Invoke-ThreadPool { Write-Warning "careful $_"; Write-Verbose "detail $_" } -WarningVariable warnings -Verbose 4>&1 3>$null |
                Tee-Object -Variable verbose
            @($warnings | ForEach-Object Message) | Should -Be 'careful 1', 'careful 2'
            @($verbose | ForEach-Object Message) | Should -Be 'detail 1', 'detail 2'
        }

        It 'keeps a break in an item inside that item' {
            $seen = foreach ($round in 1..2) { 1..3 | Invoke-ThreadPool { if ($_ -eq 2) { break }; $_ } }
            $seen | Should -Be 1, 3, 1, 3
        }
    }

    Context 'Start-WorkerThread, inline' {
        BeforeAll {
            $PSThreadingMode = 'Inline'
        }

        It 'runs the block before it returns: a Completed worker whose output Wait-WorkerThread writes' {
            $word = 'using'
            $thread = Start-WorkerThread { param($a) "$a $using:word"; [Environment]::CurrentManagedThreadId } -ArgumentList 'arg' -Name 'inline-1' -Daemon
            $thread.State | Should -Be 'Completed'
            $thread.IsAlive | Should -BeFalse
            $thread.Kind | Should -Be 'Worker'
            $thread.Name | Should -Be 'inline-1'
            $thread.IsDaemon | Should -BeTrue
            $thread.ManagedThreadId | Should -Be ([Environment]::CurrentManagedThreadId)
            $thread | Wait-WorkerThread -Timeout 5 | Should -Be 'arg using', ([Environment]::CurrentManagedThreadId)
        }

        It 'is listed by Get-ActiveThread while its block runs, and not once it has ended' {
            $thread = Start-WorkerThread { @(Get-ActiveThread -Name 'inline-listed').Count } -Name 'inline-listed'
            $thread | Wait-WorkerThread | Should -Be 1
            Get-ActiveThread -Name 'inline-listed' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'ends Failed on a terminating error, which Wait-WorkerThread reports as WorkerThreadFailed' {
            $thread = Start-WorkerThread { 'before'; throw 'inline failure' }
            $thread.State | Should -Be 'Failed'
            $thread.Error.Message | Should -Be 'inline failure'
            $out = $thread | Wait-WorkerThread -ErrorVariable errs 2>$null
            $out | Should -Be 'before'
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'WorkerThreadFailed,*'
            $errs[0].TargetObject | Should -Be $thread
        }

        It 'keeps the block''s non-terminating errors with its output for Wait-WorkerThread' {
            $thread = Start-WorkerThread { 1; Write-Error 'soft one'; 2 }
            $out = $thread | Wait-WorkerThread -ErrorVariable errs 2>$null
            $out | Should -Be 1, 2
            $errs.Count | Should -Be 1
            $errs[0].Exception.Message | Should -Be 'soft one'
        }

        It 'waits out -Delay first' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $thread = Start-WorkerThread { 'late' } -Delay 0.3
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.25
            $thread.State | Should -Be 'Completed'
            $thread | Wait-WorkerThread -Any | Should -Be 'late'
        }
    }

    Context 'toolbox objects, inline' {
        BeforeAll {
            $PSThreadingMode = 'Inline'
        }

        It 'takes locks and semaphores as usual' {
            $lock = New-ThreadLock
            $semaphore = New-ThreadSemaphore -Count 1
            $out = 1..3 | Invoke-ThreadPool {
                Invoke-WithLock $using:lock { "locked $_" }
                $s = $using:semaphore
                if ($s.Acquire()) { try { "permit $_" } finally { $s.Release() } }
            }
            $out | Should -Be 'locked 1', 'permit 1', 'locked 2', 'permit 2', 'locked 3', 'permit 3'
            $lock.Acquire(0) | Should -BeTrue
            $lock.Release()
        }

        It 'refuses an untimed wait that nothing could end with InlineWouldBlock, at once' -TestCases @(
            @{ What = 'an event nobody sets'; Block = { $e = New-ThreadEvent; $e.Wait() } }
            @{ What = 'a get from an empty queue'; Block = { $q = New-ThreadQueue; $q.Take() } }
            @{ What = 'a semaphore with no permit'; Block = { $s = New-ThreadSemaphore -Count 0 -Unbounded; $s.Acquire() } }
            @{ What = 'a barrier of two'; Block = { $b = New-ThreadBarrier -Parties 2; $b.Wait() } }
        ) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $null = 1 | Invoke-ThreadPool $Block -ErrorVariable errs 2>$null
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $errs.Count | Should -Be 1
            $inner = $errs[0].Exception
            while ($inner.InnerException) { $inner = $inner.InnerException }
            $inner | Should -BeOfType ([PSThreading.Core.Sync.InlineWouldBlockException])
            $inner.ErrorId | Should -Be 'InlineWouldBlock'
            $inner.Message | Should -BeLike '*Inline*timeout*'
        }

        It 'gives InlineWouldBlock as the ErrorId of a cmdlet''s wait' {
            $queue = New-ThreadQueue
            $err = { Start-WorkerThread { Receive-ThreadQueue $using:queue } | Wait-WorkerThread -ErrorAction Stop } | Should -Throw -PassThru
            $err.Exception.InnerException.ErrorId, $err.Exception.ErrorId | Should -Contain 'InlineWouldBlock'
        }

        It 'refuses an untimed take of a lock the caller holds (the same thread, inline) with LockAlreadyHeld, not a hang' {
            $lock = New-ThreadLock
            $null = $lock.Acquire()
            try {
                $null = 1 | Invoke-ThreadPool { ($using:lock).Acquire() } -ErrorVariable errs 2>$null
                $errs.Count | Should -Be 1
                $errs[0].Exception.InnerException.ErrorId | Should -Be 'LockAlreadyHeld'
            }
            finally {
                $lock.Release()
            }
        }

        It 'lets a timed wait time out instead' {
            1 | Invoke-ThreadPool { (New-ThreadEvent).Wait(0.1) } | Should -BeFalse
        }

        It 'waits as usual when another live thread could end the wait' {
            $event = New-ThreadEvent
            $PSThreadingMode = 'Threads'
            $setter = Start-WorkerThread { Start-Sleep -Milliseconds 300; ($using:event).Set() }
            $PSThreadingMode = 'Inline'
            1 | Invoke-ThreadPool { ($using:event).Wait() } | Should -BeTrue
            $setter | Wait-WorkerThread -Timeout 10
        }
    }

    Context 'Pester mocks' {
        BeforeAll {
            function Send-Ping { param($Target) "real ping $Target" }
            $script:Script = Join-Path $TestDrive 'pinger.ps1'
            Set-Content -Path $Script -Value @'
param($Targets)
$Targets | Invoke-ThreadPool { Send-Ping -Target $_ }
Start-WorkerThread { Send-Ping -Target 'solo' } | Wait-WorkerThread
'@
        }

        It 'reach the items and the worker of a script the test runs' {
            $PSThreadingMode = 'Inline'
            Mock Send-Ping { "mocked $Target" }
            & $Script -Targets a, b | Should -Be 'mocked a', 'mocked b', 'mocked solo'
            Should -Invoke Send-Ping -Exactly -Times 3
            Should -Invoke Send-Ping -Exactly -Times 1 -ParameterFilter { $Target -eq 'solo' }
        }
    }
}

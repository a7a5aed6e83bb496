BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Invoke-WithLock' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    Context 'on the calling thread' {
        It 'runs the block in the caller''s scope, as if dot-sourced' {
            $l = New-ThreadLock
            $n = 0; Invoke-WithLock $l { $n++ }; $n | Should -Be 1
            Invoke-WithLock $l { $madeInside = 'visible' }
            $madeInside | Should -Be 'visible'
        }

        It 'sees the caller''s $_ and leaves the caller''s $args alone' {
            $l = New-ThreadLock
            1..3 | ForEach-Object { Invoke-WithLock $l { $_ * 10 } } | Should -Be 10, 20, 30
            function Test-Args { Invoke-WithLock $l { $null = 1 }; $args }
            Test-Args 'a' 'b' | Should -Be 'a', 'b'
        }

        It 'holds the lock while the block runs and releases it after' {
            $l = New-ThreadLock
            Invoke-WithLock $l { $l.IsLocked; $l.Owner.Name } | Should -Be $true, (Get-ActiveThread -Current).Name
            $l.IsLocked | Should -BeFalse
        }

        It 'streams output down the pipeline as it is produced' {
            $l = New-ThreadLock
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $seen = Invoke-WithLock $l { 'first'; Start-Sleep -Milliseconds 700; 'second' } |
                ForEach-Object { [pscustomobject]@{ Value = $_; At = $clock.Elapsed.TotalSeconds } }
            $seen.Value | Should -Be 'first', 'second'
            ($seen[1].At - $seen[0].At) | Should -BeGreaterThan 0.4
        }

        It 'releases the lock when the block <Case>' -TestCases @(
            @{ Case = 'throws'; Script = { $l = $args[0]; try { Invoke-WithLock $l { throw 'boom' } } catch { 'caught' } } }
            @{ Case = 'breaks out of a loop'; Script = { $l = $args[0]; foreach ($i in 1..3) { Invoke-WithLock $l { break } }; 'after' } }
            @{ Case = 'continues a loop'; Script = { $l = $args[0]; foreach ($i in 1..3) { Invoke-WithLock $l { continue } }; 'after' } }
            @{ Case = 'returns'; Script = { $l = $args[0]; function Test-Return { Invoke-WithLock $l { return 'r' } }; Test-Return } }
        ) {
            param($Case, $Script)
            $l = New-ThreadLock
            $null = & $Script $l
            $l.IsLocked | Should -BeFalse
            $l.Acquire(0) | Should -BeTrue
            $l.Release()
        }

        It 'releases the lock when a command downstream ends the pipeline early (Select-Object -First 1)' {
            $l = New-ThreadLock
            Invoke-WithLock $l { 1; 2; 3 } | Select-Object -First 1 | Should -Be 1
            $l.IsLocked | Should -BeFalse
        }

        It 'gives the block an empty $input and no arguments, inside a process block too' {
            $l = New-ThreadLock
            1, 2 | & { process { Invoke-WithLock $l { @($input).Count; $args.Count } } } | Should -Be 0, 0, 0, 0
        }

        It 'lets a throw from the block reach the caller' {
            $l = New-ThreadLock
            { Invoke-WithLock $l { throw 'from inside' } } | Should -Throw -ExpectedMessage 'from inside'
        }

        It 'writes non-terminating errors from the block and goes on' {
            $l = New-ThreadLock
            # The block runs in this scope, under its error preference: 2>$null keeps the error off the console.
            $out = Invoke-WithLock $l { Write-Error 'soft'; 'went on' } -ErrorVariable problems -ErrorAction SilentlyContinue 2>$null
            $out | Should -Be 'went on'
            "$problems" | Should -Be 'soft'
        }

        It 'takes a named lock by -Name, and by a name given in place of the lock' {
            $name = "iwl-$([guid]::NewGuid())"
            $lock = New-ThreadLock -Name $name
            Invoke-WithLock -Name $name { $lock.IsLocked } | Should -BeTrue
            Invoke-WithLock $name { $lock.IsLocked } | Should -BeTrue
            $lock.IsLocked | Should -BeFalse
        }

        It 'makes a plain named lock when -Name is new' {
            $name = "fresh-$([guid]::NewGuid())"
            Invoke-WithLock -Name $name { 'ran' } | Should -Be 'ran'
            (New-ThreadLock -Name $name).IsReentrant | Should -BeFalse
        }

        It 'takes one permit of a semaphore' {
            $semaphore = New-ThreadSemaphore 2
            Invoke-WithLock $semaphore { $semaphore.CurrentCount } | Should -Be 1
            $semaphore.CurrentCount | Should -Be 2
        }

        It 'nests a reentrant lock, and refuses to nest a plain one (LockAlreadyHeld)' {
            $r = New-ThreadLock -Reentrant
            Invoke-WithLock $r { Invoke-WithLock $r { $r.Count } } | Should -Be 2
            $l = New-ThreadLock
            { Invoke-WithLock $l { Invoke-WithLock $l { 'never' } } } | Should -Throw -ErrorId 'LockAlreadyHeld,*'
            $l.IsLocked | Should -BeFalse
        }

        It 'refuses a -Timeout of <Timeout> (InvalidTimeout)' -TestCases @(
            @{ Timeout = -2 }
            @{ Timeout = -0.5 }
            @{ Timeout = [double]::NaN }
        ) {
            param($Timeout)
            $l = New-ThreadLock
            { Invoke-WithLock $l { 'never' } -Timeout $Timeout } | Should -Throw -ErrorId 'InvalidTimeout,PSThreading.Commands.InvokeWithLockCommand'
        }

        It 'waits for the lock without limit with -Timeout <Timeout>' -TestCases @(
            @{ Timeout = -1 }
            @{ Timeout = 1e300 }
            @{ Timeout = [double]::PositiveInfinity }
        ) {
            param($Timeout)
            $l = New-ThreadLock
            $holder = Start-WorkerThread { param($l) $null = $l.Acquire(); Start-Sleep -Milliseconds 400; $l.Release() } -ArgumentList $l
            Wait-Until { $l.IsLocked }
            Invoke-WithLock $l { 'ran' } -Timeout $Timeout | Should -Be 'ran'
            $null = $holder | Wait-WorkerThread -Timeout 10
        }

        It 'fails with LockTimeout naming the lock, the seconds and the holder, without running the block' {
            $l = New-ThreadLock -Name "busy-$([guid]::NewGuid())"
            $holder = Start-WorkerThread { param($l) $null = $l.Acquire(); Start-Sleep -Seconds 30 } -ArgumentList $l -Name 'keeper'
            Wait-Until { $l.IsLocked }
            $ran = $false
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $err = $null
            try { Invoke-WithLock $l { $ran = $true } -Timeout 0.3 } catch { $err = $_ }
            $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.2
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ran | Should -BeFalse
            $err.FullyQualifiedErrorId | Should -Be 'LockTimeout,PSThreading.Commands.InvokeWithLockCommand'
            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $message = $err.Exception.Message
            $message | Should -Match ([regex]::Escape($l.Name))
            $message | Should -Match '0\.3 seconds'
            $message | Should -Match "thread 'keeper' \(id $($holder.ManagedThreadId)\) since \d\d:\d\d:\d\d"
        }

        It 'names every holder of a full semaphore in a LockTimeout' {
            $semaphore = New-ThreadSemaphore 1
            $null = $semaphore.Acquire()
            { Invoke-WithLock $semaphore { 'never' } -Timeout 0.1 } |
                Should -Throw -ErrorId 'LockTimeout,*' -ExpectedMessage "*all 1 of its permits are held, by thread '$((Get-ActiveThread -Current).Name)'*"
            $semaphore.Release()
        }
    }

    Context 'with worker threads' {
        It '4 workers x 500 increments of a plain hashtable give an exact total (lock by <How>)' -TestCases @(
            @{ How = '-ArgumentList'; Block = { param($h, $l) foreach ($i in 1..500) { Invoke-WithLock $l { $h.n++ } } } }
            @{ How = '$using:'; Block = { $h = $using:h; $l = $using:l; foreach ($i in 1..500) { Invoke-WithLock $l { $h.n++ } } } }
            @{ How = 'name'; Block = { param($h, $l, $name) foreach ($i in 1..500) { Invoke-WithLock -Name $name { $h.n++ } } } }
        ) {
            param($How, $Block)
            $name = "counter-$([guid]::NewGuid())"
            $l = New-ThreadLock -Name $name
            $h = @{ n = 0 }
            # Rebuilt here so that $using: reads this test's $h and $l.
            $block = [scriptblock]::Create($Block.ToString())
            $workers = 1..4 | ForEach-Object { Start-WorkerThread $block -ArgumentList $h, $l, $name }
            $workers | Wait-WorkerThread -Timeout 120
            $workers.State | Should -Be 'Completed', 'Completed', 'Completed', 'Completed'
            $h.n | Should -Be 2000
        }

        It 'ends the wait at once when the waiting thread is stopped (Ctrl+C), without taking the lock' {
            $l = New-ThreadLock
            $null = $l.Acquire()
            $ran = [hashtable]::Synchronized(@{ block = $false })
            $waiter = Start-WorkerThread { param($l, $ran) Invoke-WithLock $l { $ran.block = $true } } -ArgumentList $l, $ran
            Wait-Until { $waiter.WaitingFor -eq $l }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $waiter | Stop-WorkerThread
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
            $waiter.State | Should -Be 'Stopped'
            $ran.block | Should -BeFalse
            $l.Owner.Name | Should -Be (Get-ActiveThread -Current).Name
            $l.Release()
        }

        It 'releases the lock when the thread is stopped inside the block' {
            $l = New-ThreadLock
            $waiter = Start-WorkerThread { param($l) Invoke-WithLock $l { Start-Sleep -Seconds 30 } } -ArgumentList $l
            Wait-Until { $l.IsLocked }
            $waiter | Stop-WorkerThread
            $waiter.State | Should -Be 'Stopped'
            $l.IsLocked | Should -BeFalse
        }

        It 'ends a script''s own $lock.Acquire() when its worker is stopped' {
            $l = New-ThreadLock
            $null = $l.Acquire()
            $waiter = Start-WorkerThread { param($l) $null = $l.Acquire(); 'never' } -ArgumentList $l
            Wait-Until { $waiter.WaitingFor -eq $l }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $waiter | Stop-WorkerThread
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
            $waiter.State | Should -Be 'Stopped'
            $l.Release()
        }

        It 'fails one of two deadlocked workers with a Deadlock error naming the cycle; the other finishes' {
            $a = New-ThreadLock -Name "first-$([guid]::NewGuid())"
            $b = New-ThreadLock -Name "second-$([guid]::NewGuid())"
            $ready = [System.Threading.CountdownEvent]::new(2)
            $body = {
                param($first, $second, $ready)
                try {
                    Invoke-WithLock $first {
                        $null = $ready.Signal()
                        $null = $ready.Wait(10000)
                        Invoke-WithLock $second { 'finished' }
                    }
                }
                catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message } }
            }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $one = Start-WorkerThread $body -ArgumentList $a, $b, $ready -Name 'one'
            $two = Start-WorkerThread $body -ArgumentList $b, $a, $ready -Name 'two'
            $out = $one, $two | Wait-WorkerThread -Timeout 30
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $out.Count | Should -Be 2
            @($out | Where-Object { $_ -eq 'finished' }).Count | Should -Be 1
            $failure = $out | Where-Object { $_ -ne 'finished' }
            $failure.Id | Should -Be 'Deadlock,PSThreading.Commands.InvokeWithLockCommand'
            $failure.Category | Should -Be 'DeadlockDetected'
            foreach ($part in "'one'", "'two'", $a.Name, $b.Name) {
                $failure.Message | Should -Match ([regex]::Escape($part))
            }
            $a.IsLocked | Should -BeFalse
            $b.IsLocked | Should -BeFalse
        }

        It 'warns when it takes a lock abandoned by a thread that ended holding it' {
            $l = New-ThreadLock -Reentrant
            Start-WorkerThread { param($l) $null = $l.Acquire() } -ArgumentList $l -Name 'leaver' | Wait-WorkerThread -Timeout 20
            Invoke-WithLock $l { 'ran' } -WarningVariable warned -WarningAction SilentlyContinue | Should -Be 'ran'
            "$warned" | Should -Match "abandoned.*'leaver'"
        }
    }

    Context 'the examples' {
        It 'runs <Example> as the article describes' -TestCases @(
            @{ Example = '04-lock-around-a-file.ps1'; Expect = 'reader-\d has the lock', '\[reader-1\] Line one', '\[reader-2\] Line two' }
            @{ Example = '05-semaphore-of-two.ps1'; Expect = 'visitor-\d is inside', 'all done' }
        ) {
            param($Example, $Expect)
            $script = Get-Content -Raw (Join-Path $RepoRoot "examples/$Example")
            $env:PSModulePath = (Join-Path $RepoRoot 'output') + [IO.Path]::PathSeparator + $env:PSModulePath
            $run = Invoke-ChildPwsh -Script $script -TimeoutSeconds 60
            $run.ExitCode | Should -Be 0
            $text = $run.Output -join "`n"
            foreach ($pattern in $Expect) { $text | Should -Match $pattern }
            if ($Example -like '04*') {
                # Each reader's lines stay together: the lock kept the other reader out meanwhile.
                $text | Should -Match '\[(reader-\d)\] Line one[^\n]*\n\[\1\] Line two'
            }
            else {
                # Never three inside: the third 'is inside' line comes after a 'leaves' line.
                $lines = $run.Output | Where-Object { $_ -match 'is inside|leaves' }
                $inside = 0; $most = 0
                foreach ($line in $lines) { if ($line -match 'is inside') { $inside++ } else { $inside-- }; $most = [Math]::Max($most, $inside) }
                $most | Should -Be 2
            }
        }
    }
}

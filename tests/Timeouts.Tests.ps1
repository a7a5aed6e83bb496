BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# One timeout rule for every method and cmdlet that waits (issues 21 and 22): -1 means no limit, as
# Wait-Job -Timeout -1, .NET's Timeout.Infinite and Python's acquire(timeout=-1) do; a value too large to
# pass (1e300, +Infinity) means no limit too; any other negative value, and NaN, is InvalidTimeout.
BeforeDiscovery {
    $names = 'ThreadLock.Acquire(seconds)', 'RLock Acquire(seconds)', 'ThreadSemaphore.Acquire(seconds)', 'ThreadEvent.Wait(seconds)',
        'ThreadCondition.Wait(seconds)', 'ThreadCondition.WaitFor(predicate, seconds)', 'ThreadBarrier.Wait(seconds)',
        'ThreadQueue.Add(item, seconds)', 'ThreadQueue.Take(seconds)', 'ThreadQueue.Join(seconds)',
        'Wait-WorkerThread -Timeout', 'Invoke-WithLock -Timeout', 'New-ThreadBarrier -Timeout', 'Send-ThreadQueue -Timeout',
        'Receive-ThreadQueue -Timeout', 'Invoke-ThreadPool -Timeout', 'Invoke-ThreadPool -ItemTimeout'
    $NoLimitCases = foreach ($name in $names) { foreach ($seconds in -1, 1e300, [double]::PositiveInfinity) { @{ Name = $name; Seconds = $seconds } } }
    $InvalidCases = foreach ($name in $names) { foreach ($seconds in -2, [double]::NaN) { @{ Name = $name; Seconds = $seconds } } }
}

Describe 'One timeout rule' {
    BeforeAll {
        $script:Main = Get-ActiveThread -Current

        # Starts a daemon worker that runs $Prepare (text) on $Target, then, once this thread is seen waiting
        # on $Target (bounded: after 20 s it goes on anyway), runs $Satisfy (text) on it. A wait given no limit
        # returns once satisfied; one given 0 would return at once, unsatisfied.
        function Start-Satisfier($Target, [string] $Satisfy, [string] $Prepare = '') {
            $ready = New-ThreadEvent
            $worker = Start-WorkerThread -Daemon -ArgumentList $script:Main, $Target, $Satisfy, $Prepare, $ready {
                param($main, $target, $satisfy, $prepare, $ready)
                if ($prepare) { & ([scriptblock]::Create($prepare)) $target }
                $ready.Set()
                $deadline = [datetime]::UtcNow.AddSeconds(20)
                while (-not ([object]::ReferenceEquals($main.WaitingForObject, $target) -or [object]::ReferenceEquals($main.WaitingForThread, $target)) -and
                    [datetime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 10
                }
                & ([scriptblock]::Create($satisfy)) $target
            }
            $null = $ready.Wait(20)
            $worker
        }

        # Each member and cmdlet: $Make builds what it waits on; $Prepare and $Satisfy run in a worker (see
        # Start-Satisfier); $Call waits with timeout $s and returns what shows the wait was satisfied.
        $script:Waits = @(
            @{ Name = 'ThreadLock.Acquire(seconds)'; Make = { New-ThreadLock }; Prepare = '$null = $args[0].Acquire()'; Satisfy = '$args[0].Release()'
                Call = { param($o, $s) $o.Acquire($s); $o.Release() }; Expect = $true }
            @{ Name = 'RLock Acquire(seconds)'; Make = { New-ThreadLock -Reentrant }; Prepare = '$null = $args[0].Acquire()'; Satisfy = '$args[0].Release()'
                Call = { param($o, $s) $o.Acquire($s); $o.Release() }; Expect = $true }
            @{ Name = 'ThreadSemaphore.Acquire(seconds)'; Make = { New-ThreadSemaphore 1 }; Prepare = '$null = $args[0].Acquire()'; Satisfy = '$args[0].Release()'
                Call = { param($o, $s) $o.Acquire($s); $o.Release() }; Expect = $true }
            @{ Name = 'ThreadEvent.Wait(seconds)'; Make = { New-ThreadEvent }; Satisfy = '$args[0].Set()'
                Call = { param($o, $s) $o.Wait($s) }; Expect = $true }
            @{ Name = 'ThreadCondition.Wait(seconds)'; Make = { New-ThreadCondition }; Satisfy = '$c = $args[0]; Invoke-WithLock $c { $c.NotifyAll() }'
                Call = { param($o, $s) $null = $o.Lock.Acquire(); try { $o.Wait($s) } finally { $o.Lock.Release() } }; Expect = $true }
            # The predicate reads an event named after the condition, which the worker sets before it notifies.
            @{ Name = 'ThreadCondition.WaitFor(predicate, seconds)'; Make = { New-ThreadCondition }
                Satisfy = '$c = $args[0]; (New-ThreadEvent -Name "$($c.Name)-done").Set(); Invoke-WithLock $c { $c.NotifyAll() }'
                Call = { param($o, $s) $null = $o.Lock.Acquire(); try { $o.WaitFor({ (New-ThreadEvent -Name "$($o.Name)-done").IsSet }, $s) } finally { $o.Lock.Release() } }; Expect = $true }
            @{ Name = 'ThreadBarrier.Wait(seconds)'; Make = { New-ThreadBarrier 2 }; Satisfy = '$null = $args[0].Wait(20)'
                Call = { param($o, $s) $o.Wait($s) -in 0, 1 }; Expect = $true }
            @{ Name = 'ThreadQueue.Add(item, seconds)'; Make = { $q = New-ThreadQueue -Capacity 1; $null = $q.Add('first'); $q }; Satisfy = '$null = $args[0].Take()'
                Call = { param($o, $s) $o.Add('second', $s) }; Expect = $true }
            @{ Name = 'ThreadQueue.Take(seconds)'; Make = { New-ThreadQueue }; Satisfy = '$null = $args[0].Add("item")'
                Call = { param($o, $s) $o.Take($s) }; Expect = 'item' }
            @{ Name = 'ThreadQueue.Join(seconds)'; Make = { $q = New-ThreadQueue; $null = $q.Add('item'); $q }; Satisfy = '$null = $args[0].Take(); $args[0].TaskDone()'
                Call = { param($o, $s) $o.Join($s) }; Expect = $true }
            # The joined worker ends once it sees this thread joining it.
            @{ Name = 'Wait-WorkerThread -Timeout'; Expect = 'ended'
                Make = { Start-WorkerThread -Daemon -ArgumentList $script:Main {
                        param($main)
                        $me = Get-ActiveThread -Current
                        $deadline = [datetime]::UtcNow.AddSeconds(20)
                        while (-not [object]::ReferenceEquals($main.WaitingForThread, $me) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
                        'ended'
                    } }
                Call = { param($o, $s) Wait-WorkerThread $o -Timeout $s } }
            @{ Name = 'Invoke-WithLock -Timeout'; Make = { New-ThreadLock }; Prepare = '$null = $args[0].Acquire()'; Satisfy = '$args[0].Release()'
                Call = { param($o, $s) Invoke-WithLock $o { 'ran' } -Timeout $s }; Expect = 'ran' }
            # The barrier's own timeout, which its Wait() uses.
            @{ Name = 'New-ThreadBarrier -Timeout'; Expect = $true
                Call = { param($o, $s) $b = New-ThreadBarrier 2 -Timeout $s; $null = Start-Satisfier $b '$null = $args[0].Wait(20)'; ($b.Wait() -in 0, 1) -and $null -eq $b.Timeout } }
            @{ Name = 'Send-ThreadQueue -Timeout'; Make = { $q = New-ThreadQueue -Capacity 1; $null = $q.Add('first'); $q }; Satisfy = '$null = $args[0].Take()'
                Call = { param($o, $s) 'second' | Send-ThreadQueue $o -Timeout $s; $o.Take(0) }; Expect = 'second' }
            @{ Name = 'Receive-ThreadQueue -Timeout'; Make = { New-ThreadQueue }; Satisfy = '$null = $args[0].Add("item"); $args[0].Complete()'
                Call = { param($o, $s) Receive-ThreadQueue $o -Timeout $s }; Expect = 'item' }
            @{ Name = 'Invoke-ThreadPool -Timeout'; Call = { param($o, $s) 1..2 | Invoke-ThreadPool -Timeout $s { $_ * 10 } | Sort-Object }; Expect = 10, 20 }
            @{ Name = 'Invoke-ThreadPool -ItemTimeout'; Call = { param($o, $s) 1..2 | Invoke-ThreadPool -ItemTimeout $s { $_ * 10 } | Sort-Object }; Expect = 10, 20 }
        )

    }

    AfterEach { Stop-LeftoverWorker }

    It '<Name> waits without limit given <Seconds>, until satisfied' -ForEach $NoLimitCases {
        $wait = $script:Waits | Where-Object { $_.Name -eq $Name }
        $wait | Should -Not -BeNullOrEmpty
        $target = if ($wait.Make) { & $wait.Make }
        $satisfier = if ($wait.Satisfy) { Start-Satisfier $target $wait.Satisfy $wait.Prepare }
        $result = & $wait.Call $target $Seconds
        $result | Should -Be $wait.Expect
        if ($satisfier) {
            # The satisfier saw this thread blocked in the wait: it waited, rather than returning at once.
            $satisfier | Wait-WorkerThread -Timeout 30 | Out-Null
            $satisfier.State | Should -Be 'Completed'
        }
    }

    It '<Name> refuses <Seconds> with InvalidTimeout, at once' -ForEach $InvalidCases {
        $wait = $script:Waits | Where-Object { $_.Name -eq $Name }
        $target = if ($wait.Make) { & $wait.Make }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        { & $wait.Call $target $Seconds } | Should -Throw -ErrorId 'InvalidTimeout*' -ExpectedMessage '*-1 to wait without limit*'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
    }
}

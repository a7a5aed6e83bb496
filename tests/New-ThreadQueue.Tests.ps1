BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'WaitStop.ps1') }
# Concurrency

Describe 'New-ThreadQueue, Send-ThreadQueue, Receive-ThreadQueue' {
    AfterEach { Stop-LeftoverWorker }

    It 'is first in, first out, with Count, IsEmpty, IsFull and Capacity' {
        $queue = New-ThreadQueue -Capacity 2
        $queue | Should -BeOfType ([PSThreading.Core.Sync.ThreadQueue])
        $queue.IsEmpty | Should -BeTrue
        $queue.Add('a') | Should -BeTrue
        $queue.Add('b') | Should -BeTrue
        $queue.IsFull | Should -BeTrue
        $queue.Count | Should -Be 2
        $queue.Add('c', 0.2) | Should -BeFalse
        $queue.Take() | Should -Be 'a'
        $item = $null
        $queue.TryTake([ref] $item) | Should -BeTrue
        $item | Should -Be 'b'
        $queue.TryTake([ref] $item) | Should -BeFalse
        (New-ThreadQueue).Capacity | Should -Be 0
    }

    It 'Take(seconds) on an empty queue is a QueueEmpty error at the timeout' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        { (New-ThreadQueue).Take(0.3) } | Should -Throw -ErrorId 'QueueEmpty*'
        $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.2
    }

    It 'after Complete(): Add is QueueCompleted; takers get the rest, then QueueCompleted' {
        $queue = New-ThreadQueue
        $null = $queue.Add(1)
        $queue.Complete()
        $queue.IsCompleted | Should -BeTrue
        { $queue.Add(2) } | Should -Throw -ErrorId 'QueueCompleted*'
        $queue.Take() | Should -Be 1
        { $queue.Take() } | Should -Throw -ErrorId 'QueueCompleted*'
    }

    It 'TaskDone() and Join() are Python''s task_done and join; one TaskDone too many is an error' {
        $queue = New-ThreadQueue
        1..3 | ForEach-Object { $null = $queue.Add($_) }
        $queue.Join(0.1) | Should -BeFalse
        $worker = Start-WorkerThread -ArgumentList $queue { param($q) 1..3 | ForEach-Object { $null = $q.Take(); $q.TaskDone() } }
        $queue.Join(20) | Should -BeTrue
        $worker | Wait-WorkerThread -Timeout 20
        { $queue.TaskDone() } | Should -Throw -ErrorId 'QueueTaskDoneTooOften*'
    }

    It 'refuses a negative or NaN timeout and a negative capacity' {
        { (New-ThreadQueue).Take(-2) } | Should -Throw -ErrorId 'InvalidTimeout*'
        { (New-ThreadQueue).Add(1, [double]::NaN) } | Should -Throw -ErrorId 'InvalidTimeout*'
        { New-ThreadQueue -Capacity -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'one producer, a pool of consumers, a bounded queue of 10: every item exactly once' {
        $queue = New-ThreadQueue -Capacity 10
        $producer = Start-WorkerThread -ArgumentList $queue { param($q) 1..300 | Send-ThreadQueue $q -Complete }
        $seen = Receive-ThreadQueue $queue | Invoke-ThreadPool -ThrottleLimit 3 { $_ }
        $producer | Wait-WorkerThread -Timeout 30
        ($seen | Sort-Object) | Should -Be (1..300)
    }

    It 'Send-ThreadQueue -Timeout is QueueFull when nobody takes; Receive-ThreadQueue -Timeout is QueueEmpty' {
        $queue = New-ThreadQueue -Capacity 1
        { 1..2 | Send-ThreadQueue $queue -Timeout 0.2 } | Should -Throw -ErrorId 'QueueFull,*'
        $received = [Collections.Generic.List[object]]::new()
        { Receive-ThreadQueue $queue -Timeout 0.2 | ForEach-Object { $received.Add($_) } } |
            Should -Throw -ErrorId 'QueueEmpty,PSThreading.Commands.ReceiveThreadQueueCommand'
        $received | Should -Be 1
        $queue.Complete()
        { 1 | Send-ThreadQueue $queue } | Should -Throw -ErrorId 'QueueCompleted,*'
    }

    It 'a named queue is found in another runspace; another capacity is LockNameConflict' {
        $name = "jobs-$([guid]::NewGuid())"
        $queue = New-ThreadQueue -Name $name -Capacity 5
        Start-WorkerThread -ArgumentList $name { param($n) $null = (New-ThreadQueue -Name $n -Capacity 5).Add('from worker') } | Wait-WorkerThread -Timeout 20
        $queue.Take(5) | Should -Be 'from worker'
        { New-ThreadQueue -Name $name } | Should -Throw -ErrorId 'LockNameConflict,*'
    }

    It 'Take() and Add() when full end at Stop-WorkerThread within a second' {
        $empty = New-ThreadQueue
        Test-StopEndsWait $empty { param($q) $null = $q.Take() } | Should -BeLessThan 3
        $full = New-ThreadQueue -Capacity 1
        $null = $full.Add(0)
        Test-StopEndsWait $full { param($q) $null = $q.Add(1) } | Should -BeLessThan 3
        $full.Count | Should -Be 1
        $joined = New-ThreadQueue
        $null = $joined.Add(0)
        Test-StopEndsWait $joined { param($q) $null = $q.Join() } | Should -BeLessThan 3
        Test-StopEndsWait $empty { param($q) Receive-ThreadQueue $q } | Should -BeLessThan 3
    }

    It 'Take() on the main thread ends at SIGINT within a second' -Skip:($IsWindows) {
        Test-SigintEndsWait '$q = New-ThreadQueue' '$null = $q.Take()'
    }

    It 'Receive-ThreadQueue on the main thread ends at SIGINT within a second' -Skip:($IsWindows) {
        Test-SigintEndsWait '$q = New-ThreadQueue' 'Receive-ThreadQueue $q'
    }

    It 'a pool item blocked in Take() ends at -ItemTimeout' {
        $queue = New-ThreadQueue
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = 1 | Invoke-ThreadPool -ItemTimeout 0.5 -ArgumentList $queue { param($q) $q.Take() } -ErrorVariable failed -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $failed.FullyQualifiedErrorId | Should -Be 'ItemTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# Every invalid argument of every cmdlet and method: each is a terminating error (but for a thread that
# Stop-WorkerThread cannot stop, the last test) with a fixed FullyQualifiedErrorId and category, and leaves no thread or runspace behind. The ids are listed in
# about_PSThreading ("Error ids"). A method call's id is the exception's type name: PowerShell, not this
# module, builds that record. There is no "double start": Start-WorkerThread creates and starts in one step,
# and a WorkerThread has no Start method.
Describe 'Bad input' {
    BeforeAll {
        $script:ended = Start-WorkerThread { 1 }
        $null = $script:ended | Wait-WorkerThread -Timeout 30
        $script:plain = New-ThreadLock
        $script:reentrant = New-ThreadLock -Reentrant
        $script:semaphore = New-ThreadSemaphore -Count 1
        # A thread this module did not start: the pipeline thread of a hosted PowerShell, as it sees itself.
        $hosted = [powershell]::Create()
        $script:foreign = $hosted.AddScript("Import-Module '$ModuleManifest'; Get-ActiveThread -Current").Invoke()[0]
        $hosted.Dispose()
        $script:taken = "taken-$([guid]::NewGuid().ToString('n'))"
        $null = New-ThreadSemaphore -Count 2 -Name $script:taken

        function Get-Footprint {
            [pscustomobject]@{
                Threads = @(Get-ActiveThread).Count
                Busy = @(Get-Runspace | Where-Object { $_.Name -eq 'PSThreading' -and $_.RunspaceAvailability -ne 'Available' }).Count
            }
        }
    }

    AfterAll {
        $script:ended = $null
    }

    It '<Command>: <Case> -> <ErrorId> (<Category>)' -TestCases @(
        # Start-WorkerThread
        @{ Command = 'Start-WorkerThread'; Case = 'a null block'; Call = { Start-WorkerThread -ScriptBlock $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Start-WorkerThread'; Case = 'a string for the block'; Call = { Start-WorkerThread -ScriptBlock 'not a block' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
        @{ Command = 'Start-WorkerThread'; Case = 'a null name'; Call = { Start-WorkerThread { 1 } -Name $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Start-WorkerThread'; Case = 'an empty name'; Call = { Start-WorkerThread { 1 } -Name '' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Start-WorkerThread'; Case = 'a white-space name'; Call = { Start-WorkerThread { 1 } -Name " `t" }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Start-WorkerThread'; Case = 'an unset $using: variable'; Call = { Start-WorkerThread { $using:neverSetAnywhere } }; ErrorId = 'UsingVariableUndefined'; Category = 'InvalidArgument' }
        # Wait-WorkerThread
        @{ Command = 'Wait-WorkerThread'; Case = 'a null thread'; Call = { Wait-WorkerThread -Thread $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a null among the threads'; Call = { Wait-WorkerThread -Thread $script:ended, $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Wait-WorkerThread'; Case = 'an empty list'; Call = { Wait-WorkerThread -Thread @() }; ErrorId = 'ParameterArgumentValidationErrorEmptyArrayNotAllowed'; Category = 'InvalidData' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a negative timeout other than -1'; Call = { Wait-WorkerThread $script:ended -Timeout -2 }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a NaN timeout'; Call = { Wait-WorkerThread $script:ended -Timeout ([double]::NaN) }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a thread name instead of the thread'; Call = { Wait-WorkerThread -Thread 'Thread-1' }; ErrorId = 'ParameterArgumentTransformationError'; Category = 'InvalidData' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a .NET Thread'; Call = { Wait-WorkerThread -Thread ([System.Threading.Thread]::CurrentThread) }; ErrorId = 'ParameterArgumentTransformationError'; Category = 'InvalidData' }
        @{ Command = 'Wait-WorkerThread'; Case = 'the calling thread'; Call = { Get-ActiveThread -Current | Wait-WorkerThread }; ErrorId = 'CannotWaitOnCurrentThread'; Category = 'InvalidOperation' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a foreign thread (not started by the module)'; Call = { Wait-WorkerThread -Thread $script:foreign }; ErrorId = 'CannotWaitOnThread'; Category = 'InvalidOperation' }
        # Stop-WorkerThread
        @{ Command = 'Stop-WorkerThread'; Case = 'a null thread'; Call = { Stop-WorkerThread -Thread $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Stop-WorkerThread'; Case = 'a thread name instead of the thread'; Call = { Stop-WorkerThread -Thread 'Thread-1' }; ErrorId = 'ParameterArgumentTransformationError'; Category = 'InvalidData' }
        @{ Command = 'Stop-WorkerThread'; Case = 'a .NET Thread'; Call = { Stop-WorkerThread -Thread ([System.Threading.Thread]::CurrentThread) }; ErrorId = 'ParameterArgumentTransformationError'; Category = 'InvalidData' }
        # Get-ActiveThread
        @{ Command = 'Get-ActiveThread'; Case = 'a null name'; Call = { Get-ActiveThread -Name $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Get-ActiveThread'; Case = 'an empty name'; Call = { Get-ActiveThread -Name '' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Get-ActiveThread'; Case = 'a white-space name'; Call = { Get-ActiveThread -Name '  ' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Get-ActiveThread'; Case = 'a blank name among others'; Call = { Get-ActiveThread -Name 'MainThread', ' ' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Get-ActiveThread'; Case = 'an id that is not a number'; Call = { Get-ActiveThread -Id 'abc' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
        # New-ThreadLock
        @{ Command = 'New-ThreadLock'; Case = 'a null name'; Call = { New-ThreadLock -Name $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadLock'; Case = 'an empty name'; Call = { New-ThreadLock -Name '' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadLock'; Case = 'a white-space name'; Call = { New-ThreadLock -Name '  ' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadLock'; Case = 'the name of a semaphore'; Call = { New-ThreadLock -Name $script:taken }; ErrorId = 'LockNameConflict'; Category = 'ResourceExists' }
        # New-ThreadSemaphore
        @{ Command = 'New-ThreadSemaphore'; Case = 'a count of 0'; Call = { New-ThreadSemaphore -Count 0 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadSemaphore'; Case = 'a negative count'; Call = { New-ThreadSemaphore -Count -1 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadSemaphore'; Case = 'a count that is not a number'; Call = { New-ThreadSemaphore -Count 'three' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
        @{ Command = 'New-ThreadSemaphore'; Case = 'a null name'; Call = { New-ThreadSemaphore -Count 1 -Name $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadSemaphore'; Case = 'a white-space name'; Call = { New-ThreadSemaphore -Count 1 -Name '  ' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadSemaphore'; Case = 'a taken name with another count'; Call = { New-ThreadSemaphore -Count 3 -Name $script:taken }; ErrorId = 'LockNameConflict'; Category = 'ResourceExists' }
        # The toolbox: events, queues, conditions, barriers, removing names, timers
        @{ Command = 'Start-WorkerThread'; Case = 'a negative -Delay'; Call = { Start-WorkerThread -Delay -1 { 1 } }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Start-WorkerThread'; Case = 'a NaN -Delay'; Call = { Start-WorkerThread -Delay ([double]::NaN) { 1 } }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadEvent'; Case = 'a white-space name'; Call = { New-ThreadEvent -Name '  ' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadEvent'; Case = 'the name of a semaphore'; Call = { New-ThreadEvent -Name $script:taken }; ErrorId = 'LockNameConflict'; Category = 'ResourceExists' }
        @{ Command = 'New-ThreadQueue'; Case = 'a negative capacity'; Call = { New-ThreadQueue -Capacity -1 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadQueue'; Case = 'the name of a semaphore'; Call = { New-ThreadQueue -Name $script:taken }; ErrorId = 'LockNameConflict'; Category = 'ResourceExists' }
        @{ Command = 'New-ThreadCondition'; Case = 'a lock of the wrong type'; Call = { New-ThreadCondition -Lock (Get-Date) }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
        @{ Command = 'New-ThreadCondition'; Case = 'the name of a semaphore'; Call = { New-ThreadCondition -Name $script:taken }; ErrorId = 'LockNameConflict'; Category = 'ResourceExists' }
        @{ Command = 'New-ThreadBarrier'; Case = 'no parties'; Call = { New-ThreadBarrier -Parties 0 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'New-ThreadBarrier'; Case = 'a negative timeout'; Call = { New-ThreadBarrier -Parties 2 -Timeout -2 }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Send-ThreadQueue'; Case = 'a null queue'; Call = { 1 | Send-ThreadQueue -Queue $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Send-ThreadQueue'; Case = 'a completed queue'; Call = { $q = New-ThreadQueue; $q.Complete(); 1 | Send-ThreadQueue $q }; ErrorId = 'QueueCompleted'; Category = 'InvalidOperation' }
        @{ Command = 'Send-ThreadQueue'; Case = 'a queue still full at -Timeout'; Call = { 1, 2 | Send-ThreadQueue (New-ThreadQueue -Capacity 1) -Timeout 0.1 }; ErrorId = 'QueueFull'; Category = 'OperationTimeout' }
        @{ Command = 'Receive-ThreadQueue'; Case = 'a queue still empty at -Timeout'; Call = { Receive-ThreadQueue (New-ThreadQueue) -Timeout 0.1 }; ErrorId = 'QueueEmpty'; Category = 'OperationTimeout' }
        @{ Command = 'Remove-ThreadLock'; Case = 'a held lock'; Call = { $l = New-ThreadLock -Name "held-$([guid]::NewGuid())"; $null = $l.Acquire(); try { Remove-ThreadLock $l.Name } finally { $l.Release() } }; ErrorId = 'NamedObjectInUse'; Category = 'ResourceBusy' }
        @{ Command = 'ThreadEvent.Wait(seconds)'; Case = 'a negative timeout'; Call = { (New-ThreadEvent).Wait(-2) }; ErrorId = 'InvalidTimeoutException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadQueue.Take(seconds)'; Case = 'an empty queue'; Call = { (New-ThreadQueue).Take(0) }; ErrorId = 'QueueEmptyException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadQueue.Add(item)'; Case = 'a completed queue'; Call = { $q = New-ThreadQueue; $q.Complete(); $q.Add(1) }; ErrorId = 'QueueCompletedException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadQueue.TaskDone()'; Case = 'more than items added'; Call = { (New-ThreadQueue).TaskDone() }; ErrorId = 'QueueTaskDoneTooOftenException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadCondition.Notify()'; Case = 'without holding its lock'; Call = { (New-ThreadCondition).Notify() }; ErrorId = 'LockNotHeldException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadCondition.Wait(seconds)'; Case = 'without holding its lock'; Call = { (New-ThreadCondition).Wait(1) }; ErrorId = 'LockNotHeldException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadBarrier.Wait()'; Case = 'a broken barrier'; Call = { $b = New-ThreadBarrier 2; $b.Abort(); $b.Wait() }; ErrorId = 'BarrierBrokenException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadSemaphore.Release(n)'; Case = 'more than are taken'; Call = { $script:semaphore.Release(2) }; ErrorId = 'SemaphoreOverReleaseException'; Category = 'NotSpecified' }
        # Invoke-WithLock
        @{ Command = 'Invoke-WithLock'; Case = 'a null lock'; Call = { Invoke-WithLock -Lock $null { 1 } }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Invoke-WithLock'; Case = 'a lock of the wrong type'; Call = { Invoke-WithLock -Lock (Get-Date) { 1 } }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-WithLock'; Case = 'an empty string for the lock'; Call = { Invoke-WithLock -Lock '' { 1 } }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-WithLock'; Case = 'a null block'; Call = { Invoke-WithLock $script:plain $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Invoke-WithLock'; Case = 'a null name'; Call = { Invoke-WithLock -Name $null { 1 } }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Invoke-WithLock'; Case = 'a white-space name'; Call = { Invoke-WithLock -Name '  ' { 1 } }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Invoke-WithLock'; Case = 'a negative timeout other than -1'; Call = { Invoke-WithLock $script:plain { 1 } -Timeout -2 }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-WithLock'; Case = 'a NaN timeout'; Call = { Invoke-WithLock $script:plain { 1 } -Timeout ([double]::NaN) }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-WithLock'; Case = 'a plain lock taken again inside its own block'; Call = { Invoke-WithLock $script:plain { Invoke-WithLock $script:plain { 1 } } }; ErrorId = 'LockAlreadyHeld'; Category = 'InvalidOperation' }
        @{ Command = 'Invoke-WithLock'; Case = 'a block that releases the lock itself'; Call = { Invoke-WithLock $script:plain { $script:plain.Release() } }; ErrorId = 'LockNotHeld'; Category = 'InvalidOperation' }
        # Invoke-ThreadPool
        @{ Command = 'Invoke-ThreadPool'; Case = 'a null block'; Call = { 1 | Invoke-ThreadPool -ScriptBlock $null }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'a string for the block'; Call = { 1 | Invoke-ThreadPool 'not a block' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'a -ThrottleLimit of 0'; Call = { 1 | Invoke-ThreadPool { 1 } -ThrottleLimit 0 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'a negative -ThrottleLimit'; Call = { 1 | Invoke-ThreadPool { 1 } -ThrottleLimit -4 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'a negative -Timeout other than -1'; Call = { 1 | Invoke-ThreadPool { 1 } -Timeout -2 }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'a NaN -Timeout'; Call = { 1 | Invoke-ThreadPool { 1 } -Timeout ([double]::NaN) }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'a negative -ItemTimeout'; Call = { 1 | Invoke-ThreadPool { 1 } -ItemTimeout -0.5 }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'a NaN -ItemTimeout'; Call = { 1 | Invoke-ThreadPool { 1 } -ItemTimeout ([double]::NaN) }; ErrorId = 'InvalidTimeout'; Category = 'InvalidArgument' }
        @{ Command = 'Invoke-ThreadPool'; Case = 'an unset $using: variable'; Call = { 1 | Invoke-ThreadPool { $using:neverSetAnywhere } }; ErrorId = 'UsingVariableUndefined'; Category = 'InvalidArgument' }
        # Methods of locks and semaphores
        @{ Command = 'ThreadLock.Release()'; Case = 'a free lock'; Call = { $script:plain.Release() }; ErrorId = 'LockNotHeldException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadLock.Acquire()'; Case = 'a plain lock its caller holds'; Call = { $null = $script:plain.Acquire(); try { $script:plain.Acquire() } finally { $script:plain.Release() } }; ErrorId = 'LockAlreadyHeldException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadLock.Acquire(seconds)'; Case = 'a negative timeout'; Call = { $script:plain.Acquire(-2) }; ErrorId = 'InvalidTimeoutException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadLock.Acquire(seconds)'; Case = 'a NaN timeout'; Call = { $script:plain.Acquire([double]::NaN) }; ErrorId = 'InvalidTimeoutException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadLock.Acquire(seconds)'; Case = 'a timeout that is not a number'; Call = { $script:plain.Acquire('soon') }; ErrorId = 'MethodArgumentConversionInvalidCastArgument'; Category = 'NotSpecified' }
        @{ Command = 'ThreadLock.Release()'; Case = 'a reentrant lock released once too often'; Call = { $null = $script:reentrant.Acquire(); $script:reentrant.Release(); $script:reentrant.Release() }; ErrorId = 'LockNotHeldException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadLock.Release()'; Case = 'a reentrant lock held by another thread'; Call = {
                $holder = Start-WorkerThread { param($l) $null = $l.Acquire(); Start-Sleep -Seconds 30 } -ArgumentList $script:reentrant
                try { Wait-Until { $script:reentrant.IsLocked }; $script:reentrant.Release() }
                finally { $holder | Stop-WorkerThread }
            }; ErrorId = 'LockNotOwnedException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadSemaphore.Release()'; Case = 'over-release'; Call = { $script:semaphore.Release() }; ErrorId = 'SemaphoreOverReleaseException'; Category = 'NotSpecified' }
        @{ Command = 'ThreadSemaphore.Acquire(seconds)'; Case = 'a negative timeout'; Call = { $script:semaphore.Acquire(-2) }; ErrorId = 'InvalidTimeoutException'; Category = 'NotSpecified' }
    ) {
        param($Command, $Case, $Call, $ErrorId, $Category)
        $before = Get-Footprint
        $thrown = { & $Call } | Should -Throw -PassThru
        # Terminating: it reached the catch above rather than being written and passed over.
        $thrown.FullyQualifiedErrorId | Should -BeLike "$ErrorId*"
        if ($Command -notmatch '\.') {
            $thrown.FullyQualifiedErrorId | Should -BeLike "$ErrorId,PSThreading.Commands.*"
        }
        "$($thrown.CategoryInfo.Category)" | Should -Be $Category
        $thrown.Exception.Message | Should -Not -BeNullOrEmpty
        Wait-Until { $after = Get-Footprint; $after.Threads -le $before.Threads -and $after.Busy -le $before.Busy } -Seconds 5
        $script:plain.IsLocked | Should -BeFalse
    }

    # Named as the argument (piped, such a thread is passed over): not terminating, the other threads are still stopped.
    It 'Stop-WorkerThread: <Case> -> non-terminating CannotStopThread (InvalidOperation)' -TestCases @(
        @{ Case = 'the main thread'; Thread = { Get-ActiveThread -Main } }
        @{ Case = 'a foreign thread (not started by the module)'; Thread = { $script:foreign } }
    ) {
        param($Case, $Thread)
        $target = & $Thread
        $before = Get-Footprint
        Stop-WorkerThread -Thread $target -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'CannotStopThread,PSThreading.Commands.StopWorkerThreadCommand'
        "$($refused[0].CategoryInfo.Category)" | Should -Be 'InvalidOperation'
        $refused[0].TargetObject | Should -Be $target
        $refused[0].Exception.Message | Should -Match 'cannot be stopped'
        $after = Get-Footprint
        $after.Threads | Should -BeLessOrEqual $before.Threads
    }

    It '<Command>: piping <Case> says what to pass instead' -TestCases @(
        @{ Command = 'Wait-WorkerThread'; Case = 'a string'; Value = { 'some-name' }; Advice = "-Name 'some-name'" }
        @{ Command = 'Stop-WorkerThread'; Case = 'a string'; Value = { 'some-name' }; Advice = "-Name 'some-name'" }
        @{ Command = 'Wait-WorkerThread'; Case = 'a number'; Value = { 12345 }; Advice = '-Id 12345' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a process'; Value = { Get-Process -Id $PID }; Advice = 'Wait-Process' }
        @{ Command = 'Stop-WorkerThread'; Case = 'a lock'; Value = { New-ThreadLock }; Advice = 'ThreadLock is not a worker thread' }
        @{ Command = 'Wait-WorkerThread'; Case = 'a ThreadJob'; Value = { Start-ThreadJob { 1 } }; Advice = 'Receive-Job' }
        @{ Command = 'Stop-WorkerThread'; Case = 'a ThreadJob'; Value = { Start-ThreadJob { 1 } }; Advice = 'Stop-Job' }
    ) {
        param($Command, $Case, $Value, $Advice)
        $given = & $Value
        try {
            $caught = $null
            try { $given | & $Command -ErrorAction Stop } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.Exception.Message | Should -Not -Match 'cannot be bound'
            $caught.Exception.Message | Should -Match ([regex]::Escape($Advice))
        }
        finally {
            if ($given -is [System.Management.Automation.Job]) { $given | Remove-Job -Force }
        }
    }
}

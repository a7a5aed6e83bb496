BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Invoke-ThreadPool -AsJob returns a PowerShell job (Get-Job, Receive-Job, Wait-Job, Stop-Job, Remove-Job,
# StateChanged) that Wait-WorkerThread, Stop-WorkerThread and Get-ActiveThread still take as its thread.
# One reader consumes: what Wait-WorkerThread or Receive-Job (without -Keep) read is gone for the other.
Describe 'Invoke-ThreadPool -AsJob as a PowerShell job' {
    AfterEach {
        Get-Job | Where-Object PSJobTypeName -EQ 'PSThreadingJob' | Remove-Job -Force
        Get-EventSubscriber | Where-Object SourceIdentifier -Like 'PSThreadingJobTest*' | Unregister-Event
        Get-Event | Where-Object SourceIdentifier -Like 'PSThreadingJobTest*' | Remove-Event
        Stop-LeftoverWorker
    }

    It 'is a Job2 of type PSThreadingJob, listed by Get-Job by id, name, state and type' {
        $gate = New-ThreadEvent
        $job = 1..2 | Invoke-ThreadPool { $null = ($using:gate).Wait(30); $_ } -AsJob
        $job | Should -BeOfType ([System.Management.Automation.Job2])
        $job.PSJobTypeName | Should -Be 'PSThreadingJob'
        $job.Name | Should -Be $job.Thread.Name
        $job.State | Should -Be 'Running'
        (Get-Job -Id $job.Id).InstanceId | Should -Be $job.InstanceId
        (Get-Job -Name $job.Name).InstanceId | Should -Be $job.InstanceId
        (Get-Job -State Running).InstanceId | Should -Contain $job.InstanceId
        (Get-Job | Where-Object PSJobTypeName -EQ 'PSThreadingJob').InstanceId | Should -Contain $job.InstanceId
        $gate.Set()
        $null = Wait-Job $job -Timeout 30
        (Get-Job -State Completed).InstanceId | Should -Contain $job.InstanceId
    }

    It 'gives its output to Receive-Job -Wait -AutoRemoveJob, which removes it' {
        $job = 1..4 | Invoke-ThreadPool { Start-Sleep -Milliseconds (50 * $_); $_ * 10 } -Ordered -AsJob
        $job | Receive-Job -Wait -AutoRemoveJob | Should -Be @(10, 20, 30, 40)
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $job.State | Should -Be 'Completed'
    }

    It 'gives Receive-Job the records of every stream, each stream in the order written' {
        $job = 1..3 | Invoke-ThreadPool {
            "o$_"
            Write-Error "e$_"
            Write-Warning "w$_"
            Write-Verbose "v$_"
            Write-Information "i$_"
        } -ThrottleLimit 1 -Ordered -AsJob -Verbose
        $null = Wait-Job $job -Timeout 30
        $out = $job | Receive-Job -ErrorVariable errors -WarningVariable warnings -InformationVariable information `
            -ErrorAction SilentlyContinue -WarningAction SilentlyContinue -InformationAction SilentlyContinue -Verbose 4>&1
        @($out | Where-Object { $_ -is [string] }) | Should -Be @('o1', 'o2', 'o3')
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Be @('v1', 'v2', 'v3')
        $errors.Exception.Message | Should -Be @('e1', 'e2', 'e3')
        $warnings.Message | Should -Be @('w1', 'w2', 'w3')
        $information.MessageData | Should -Be @('i1', 'i2', 'i3')
        $job.HasMoreData | Should -BeFalse
    }

    It 'keeps everything for the next reader with Receive-Job -Keep; HasMoreData says what is left' {
        $job = 1..3 | Invoke-ThreadPool { $_; Write-Warning "w$_" } -ThrottleLimit 1 -Ordered -AsJob
        $null = Wait-Job $job -Timeout 30
        $job.HasMoreData | Should -BeTrue
        $job | Receive-Job -Keep -WarningAction SilentlyContinue | Should -Be @(1, 2, 3)
        $job | Receive-Job -Keep -WarningVariable kept -WarningAction SilentlyContinue | Should -Be @(1, 2, 3)
        $kept.Message | Should -Be @('w1', 'w2', 'w3')
        $job.HasMoreData | Should -BeTrue
        $job | Receive-Job -WarningAction SilentlyContinue | Should -Be @(1, 2, 3)
        $job.HasMoreData | Should -BeFalse
        $job | Receive-Job | Should -BeNullOrEmpty
    }

    It 'lets one reader consume: what Wait-WorkerThread wrote does not come back from Receive-Job, nor the reverse' {
        $joined = 1..3 | Invoke-ThreadPool { $_ } -AsJob
        $joined | Wait-WorkerThread -Timeout 30 | Sort-Object | Should -Be @(1, 2, 3)
        $joined.HasMoreData | Should -BeFalse
        $joined | Receive-Job | Should -BeNullOrEmpty

        $received = 1..3 | Invoke-ThreadPool { $_ } -AsJob
        $null = Wait-Job $received -Timeout 30
        $received | Receive-Job | Sort-Object | Should -Be @(1, 2, 3)
        $received | Wait-WorkerThread -Timeout 30 | Should -BeNullOrEmpty

        # Taken part by part: Receive-Job while it runs, the join for the rest, each item once.
        $gate = New-ThreadEvent
        $mixed = 1 | Invoke-ThreadPool { 'before'; $null = ($using:gate).Wait(30); 'after' } -AsJob
        Wait-Until { $mixed.HasMoreData } -Seconds 20
        $mixed | Receive-Job | Should -Be 'before'
        $gate.Set()
        $mixed | Wait-WorkerThread -Timeout 30 | Should -Be 'after'
        $mixed | Receive-Job | Should -BeNullOrEmpty
    }

    It 'keeps the written order across streams for Wait-WorkerThread' {
        # Unordered: -Ordered holds an item's output back until the items before it end, not its records.
        $job = 1..3 | Invoke-ThreadPool { "o$_"; Write-Error "e$_"; Write-Warning "w$_" } -ThrottleLimit 1 -AsJob
        $null = Wait-Job $job -Timeout 30
        $merged = $job | Wait-WorkerThread -Timeout 30 *>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { "e:$($_.Exception.Message)" }
            elseif ($_ -is [System.Management.Automation.WarningRecord]) { "w:$($_.Message)" }
            else { "o:$_" }
        }
        $merged | Should -Be @('o:o1', 'e:e1', 'w:w1', 'o:o2', 'e:e2', 'w:w2', 'o:o3', 'e:e3', 'w:w3')
    }

    It 'has a final state as soon as Wait-WorkerThread returns, and Wait-Job returns when the call ends' {
        $job = 1..3 | Invoke-ThreadPool { Start-Sleep -Milliseconds 300; $_ } -AsJob
        $null = $job | Wait-WorkerThread -Timeout 30
        $job.State | Should -Be 'Completed'
        $job.PSEndTime | Should -Not -BeNullOrEmpty

        # The job takes its outcome a moment before its thread's state does: repeat, so that gap shows if IsAlive trails.
        $alive = foreach ($round in 1..20) {
            $waited = 1 | Invoke-ThreadPool { 'done' } -AsJob
            (Wait-Job $waited -Timeout 30).State | Should -Be 'Completed'
            $waited.IsAlive
        }
        $alive | Should -Not -Contain $true
    }

    It 'raises StateChanged as the call <Case> (Register-ObjectEvent)' -TestCases @(
        @{ Case = 'completes'; Final = 'Completed' }
        @{ Case = 'fails'; Final = 'Failed' }
        @{ Case = 'is stopped'; Final = 'Stopped' }
    ) {
        param($Case, $Final)
        $gate = New-ThreadEvent
        $job = 1 | Invoke-ThreadPool {
            $null = ($using:gate).Wait(30)
            if ($using:Final -eq 'Failed') { throw 'item failed' }
            if ($using:Final -eq 'Stopped') { Start-Sleep -Seconds 30 }
            $_
        } -AsJob -ErrorAction Stop
        $id = "PSThreadingJobTest$Final"
        $null = Register-ObjectEvent -InputObject $job -EventName StateChanged -SourceIdentifier $id
        $gate.Set()
        if ($Final -eq 'Stopped') {
            Wait-Until { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -ge 1 } -Seconds 20
            $job | Stop-Job
        }
        $event = Wait-Event -SourceIdentifier $id -Timeout 30
        $event | Should -Not -BeNullOrEmpty
        $event.SourceEventArgs.JobStateInfo.State | Should -Be $Final
        $event.Sender.InstanceId | Should -Be $job.InstanceId
    }

    It 'reports a failed call once, to whichever reader comes first' {
        $received = 1 | Invoke-ThreadPool { throw 'call failed' } -AsJob -ErrorAction Stop
        $null = Wait-Job $received -Timeout 30
        $received.State | Should -Be 'Failed'
        $null = $received | Receive-Job -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'WorkerThreadFailed*'
        $failed[0].Exception.Message | Should -BeLike '*call failed*'
        $null = $received | Wait-WorkerThread -Timeout 30 -ErrorVariable again -ErrorAction SilentlyContinue
        $again.Count | Should -Be 0

        $joined = 1 | Invoke-ThreadPool { throw 'call failed' } -AsJob -ErrorAction Stop
        $null = $joined | Wait-WorkerThread -Timeout 30 -ErrorVariable joinFailed -ErrorAction SilentlyContinue
        $joinFailed.Count | Should -Be 1
        $joinFailed[0].FullyQualifiedErrorId | Should -BeLike 'WorkerThreadFailed*'
        $joined.State | Should -Be 'Failed'
        $null = $joined | Receive-Job -ErrorVariable receivedAgain -ErrorAction SilentlyContinue
        $receivedAgain.Count | Should -Be 0
    }

    It 'stops the call and its items at Stop-Job, which returns with the job Stopped, within 5 s' {
        $job = 1..100 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -ThrottleLimit 4 -AsJob
        Wait-Until { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -ge 4 } -Seconds 20
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job | Stop-Job
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $job.State | Should -Be 'Stopped'
        $job.IsAlive | Should -BeFalse
        Wait-Until { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -eq 0 } -Seconds 10
    }

    It 'ends Stopped when Stop-WorkerThread stops its thread' {
        $job = 1..10 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -AsJob
        Wait-Until { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count -ge 1 } -Seconds 20
        $job | Stop-WorkerThread -WarningAction SilentlyContinue
        (Wait-Job $job -Timeout 10).State | Should -Be 'Stopped'
    }

    It 'refuses Remove-Job of a running job without -Force; -Force stops and removes it' {
        $job = 1 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -AsJob
        Remove-Job $job -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused.FullyQualifiedErrorId | Should -BeLike 'JobObjectNotFinishedCannotBeRemoved*'
        (Get-Job -Id $job.Id).InstanceId | Should -Be $job.InstanceId
        $job.IsAlive | Should -BeTrue
        Remove-Job $job -Force
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Wait-Until { -not $job.IsAlive } -Seconds 10
        $job.State | Should -Be 'Stopped'
    }

    It 'stands for its thread in Wait-WorkerThread, Stop-WorkerThread and Get-ActiveThread' {
        $job = 1..2 | Invoke-ThreadPool { Start-Sleep -Seconds 30 } -AsJob
        ($job | Get-ActiveThread).ManagedThreadId | Should -Be $job.ManagedThreadId
        (Get-ActiveThread -Id $job.ManagedThreadId).Name | Should -Be $job.Name
        (Get-ActiveThread).Name | Should -Contain $job.Name
        [PSThreading.Core.Threads.WorkerThread] $job | Should -Be $job.Thread
        Stop-WorkerThread -Thread $job -PassThru -WarningAction SilentlyContinue | Should -Be $job.Thread
        Wait-WorkerThread -Thread $job -Timeout 10 -PassThru | Should -Be $job.Thread
    }

    It 'is a job in Inline mode too: the call has run when it returns, and Receive-Job reads it' {
        $PSThreadingMode = 'Inline'
        $job = 1..3 | Invoke-ThreadPool { $_ * 2; Write-Warning "w$_" } -AsJob
        $job | Should -BeOfType ([System.Management.Automation.Job2])
        $job.State | Should -Be 'Completed'
        (Get-Job -Id $job.Id).InstanceId | Should -Be $job.InstanceId
        $job | Receive-Job -WarningVariable warnings -WarningAction SilentlyContinue | Should -Be @(2, 4, 6)
        $warnings.Message | Should -Be @('w1', 'w2', 'w3')
        $job | Wait-WorkerThread | Should -BeNullOrEmpty
    }
    It 'has its final state whenever a join returns, so Remove-Job right after a join never refuses it (200 calls)' {
        $notFinal = 0
        foreach ($n in 1..200) {
            $job = $n | Invoke-ThreadPool -AsJob { $_ }
            $null = $job | Wait-WorkerThread -Timeout 30
            if ($job.State -ne 'Completed') { $notFinal++ }
            Remove-Job $job -Force
        }
        $notFinal | Should -Be 0
    }
}

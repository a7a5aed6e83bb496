BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'ProcessIsolation.ps1') }
# Concurrency

# Issue 23: Start-WorkerThread -Isolation Process runs the block in a warm pwsh child process; the thread object
# says where (Isolation, ProcessId) and is waited for, stopped and listed like any thread.
Describe 'Start-WorkerThread -Isolation Process' {
    BeforeAll {
        $null = 1..2 | Invoke-ThreadPool -Isolation Process -ThrottleLimit 2 { $PID }
    }

    AfterEach { Stop-LeftoverWorker }

    It 'runs the block in a child process named by the thread''s ProcessId and Isolation' {
        $x = 7
        $t = Start-WorkerThread -Isolation Process -Name 'tenant-a' -ArgumentList 'arg' { param($a) "$a $using:x $PID" }
        $t.Isolation | Should -Be 'Process'
        $t.ProcessId | Should -Not -Be $PID
        (Get-Process -Id $t.ProcessId).Id | Should -Be $t.ProcessId
        $t | Wait-WorkerThread | Should -Be "arg 7 $($t.ProcessId)"
        $t.State | Should -Be 'Completed'
    }

    It 'keeps Isolation Runspace and $PID for a runspace thread' {
        $t = Start-WorkerThread { 1 }
        $t.Isolation | Should -Be 'Runspace'
        $t.ProcessId | Should -Be $PID
        $null = $t | Wait-WorkerThread
    }

    It 'is listed by Get-ActiveThread and found by -Name and -Id while it runs' {
        $t = Start-WorkerThread -Isolation Process -Name 'proc-listed' { Start-Sleep -Seconds 30 }
        (Get-ActiveThread -Name 'proc-listed').ProcessId | Should -Be $t.ProcessId
        (Get-ActiveThread -Id $t.ManagedThreadId).Name | Should -Be 'proc-listed'
        $t | Stop-WorkerThread -WarningAction SilentlyContinue
        $null = $t | Wait-WorkerThread -Timeout 10
        $t.State | Should -Be 'Stopped'
    }

    It 'stops a block stuck in a .NET call: State Stopped, its process killed' {
        $t = Start-WorkerThread -Isolation Process { [Threading.Thread]::Sleep(60000) }
        Start-Sleep -Milliseconds 500
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $t | Stop-WorkerThread -WarningAction SilentlyContinue
        $null = $t | Wait-WorkerThread -Timeout 15
        $t.State | Should -Be 'Stopped'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
        Wait-Until { -not (Test-ProcessRuns $t.ProcessId) } -Seconds 8
    }

    It 'waits with -Any and -AsCompleted across process and runspace threads' {
        $slow = Start-WorkerThread -Isolation Process { Start-Sleep -Seconds 30; 'slow' }
        $fast = Start-WorkerThread -Isolation Process { 'fast' }
        $first = Wait-WorkerThread -Thread $slow, $fast -Any -Timeout 20
        $first | Should -Be 'fast'
        $slow.State | Should -Be 'Running'
        $slow | Stop-WorkerThread -WarningAction SilentlyContinue
        $a = Start-WorkerThread -Isolation Process { Start-Sleep -Milliseconds 300; 'a' }
        $b = Start-WorkerThread { 'b' }
        $out = @(Wait-WorkerThread -Thread $a, $b -AsCompleted)
        $out | Should -Contain 'a'
        $out | Should -Contain 'b'
    }

    It 'starts after -Delay' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $t = Start-WorkerThread -Isolation Process -Delay 1 { [datetime]::UtcNow }
        $null = $t | Wait-WorkerThread
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1
        $t.State | Should -Be 'Completed'
    }

    It 'fails with the block''s error, and with WorkerProcessExited when the block ends its process' {
        $t = Start-WorkerThread -Isolation Process { throw 'tenant login failed' }
        $null = $t | Wait-WorkerThread -ErrorVariable errs -ErrorAction SilentlyContinue
        $t.State | Should -Be 'Failed'
        "$errs" | Should -Match 'tenant login failed'
        $t2 = Start-WorkerThread -Isolation Process { [Environment]::Exit(5) }
        $null = $t2 | Wait-WorkerThread -ErrorVariable errs2 -ErrorAction SilentlyContinue
        $t2.State | Should -Be 'Failed'
        $t2.Error.ErrorRecord.FullyQualifiedErrorId | Should -BeLike 'WorkerProcessExited*'
        "$errs2" | Should -Match 'exit code 5'
    }

    It 'answers Read-Host in the child through the join, as for a thread, showing Write-Host once' {
        # The child pwsh's console input is a file: the join reads the answer from it.
        $child = Invoke-ChildPwshWithInput -InputLine 'Ada' -Script '$t = Start-WorkerThread -Isolation Process { $n = Read-Host name; Write-Host "host line"; "hello $n from $PID" }; $t | Wait-WorkerThread; "parent $PID"'
        $child.ExitCode | Should -Be 0
        $parent = @($child.Output | Where-Object { $_ -like 'parent *' })[0] -replace '^parent ', ''
        $hello = @($child.Output | Where-Object { $_ -like 'hello Ada from *' })
        $hello.Count | Should -Be 1 -Because "the answer reached the child ($($child.Output -join ' | '))"
        $hello[0] | Should -Not -Be "hello Ada from $parent"
        @($child.Output | Where-Object { $_ -eq 'host line' }).Count | Should -Be 1
    }

    It 'fails Read-Host in the child with PromptNotAnswered when nobody can answer (-NonInteractive)' {
        $t = Start-WorkerThread -Isolation Process { $null = Read-Host 'Name?'; 'after' }
        $out = $t | Wait-WorkerThread -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -Be 'after'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PromptNotAnswered*'
    }

    It 'makes a script block or a machine lock given by -ArgumentList or $using: a block or a lock again in the child' {
        $lock = New-ThreadLock -Name "psthreading-thread-proc-$PID" -Scope Machine
        $viaUsing = { "using $args" }
        $out = Start-WorkerThread -Isolation Process -ArgumentList { "arg $args" }, $lock, @(1, 2) {
            param($f, $l, $plain)
            & $f 1
            & $using:viaUsing 2
            $l.GetType().Name
            ($using:lock).Name
            $plain.Count
        } | Wait-WorkerThread -Timeout 60
        $out | Should -Be 'arg 1', 'using 2', 'ThreadLock', "psthreading-thread-proc-$PID", 2
    }

    It 'refuses a ThreadQueue with NotAcrossProcesses before starting anything' {
        $q = New-ThreadQueue
        $before = @(Get-ActiveThread).Count
        { Start-WorkerThread -Isolation Process -ArgumentList $q { 1 } } | Should -Throw -ErrorId 'NotAcrossProcesses*'
        @(Get-ActiveThread).Count | Should -Be $before
    }

    It 'keeps two tenants'' process-wide state apart (each login in its own process)' {
        $a = Start-WorkerThread -Isolation Process { [AppDomain]::CurrentDomain.SetData('Login', 'A'); Start-Sleep -Milliseconds 300; [AppDomain]::CurrentDomain.GetData('Login') }
        $b = Start-WorkerThread -Isolation Process { [AppDomain]::CurrentDomain.SetData('Login', 'B'); Start-Sleep -Milliseconds 300; [AppDomain]::CurrentDomain.GetData('Login') }
        $a | Wait-WorkerThread | Should -Be 'A'
        $b | Wait-WorkerThread | Should -Be 'B'
    }

    It 'runs -Isolation Process blocks inline in inline mode, so mocks apply' {
        $PSThreadingMode = 'Inline'
        function Get-Tenant { 'real' }
        Mock Get-Tenant { 'mocked' }
        $t = Start-WorkerThread -Isolation Process { Get-Tenant }
        $t | Wait-WorkerThread | Should -Be 'mocked'
        1 | Invoke-ThreadPool -Isolation Process { Get-Tenant } | Should -Be 'mocked'
    }
}

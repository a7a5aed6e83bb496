BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'WaitStop.ps1') }
# Concurrency

# -Scope Machine: a named lock held across the processes of the user (a named mutex). Every test works with
# child pwsh processes and a lock name of its own (a GUID), so that runs never collide.
Describe 'New-ThreadLock -Scope Machine' {
    BeforeAll {
        $script:Children = [Collections.Generic.List[Diagnostics.Process]]::new()
        $script:Scratch = Join-Path ([IO.Path]::GetTempPath()) "psthreading-machine-$([guid]::NewGuid().ToString('n'))"
        $null = New-Item -ItemType Directory -Path $Scratch

        # Starts a child pwsh running $Script with the module imported; returns its process (killed in AfterEach).
        function Start-LockChild([string] $Script) {
            $file = Join-Path $Scratch "child-$([guid]::NewGuid().ToString('n')).ps1"
            "`$ErrorActionPreference = 'Stop'`nImport-Module '$ModuleManifest'`n$Script" | Set-Content -Path $file
            $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file `
                -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err" -PassThru
            $Children.Add($process)
            $process
        }

        # Starts a child that takes the machine lock $Name, says so in a file and holds it for $Seconds.
        function Start-LockHolder([string] $Name, [int] $Seconds = 60) {
            $ready = Join-Path $Scratch "ready-$([guid]::NewGuid().ToString('n'))"
            $process = Start-LockChild @"
`$lock = New-ThreadLock -Name '$($Name -replace "'", "''")' -Scope Machine
if (-not `$lock.Acquire(30)) { exit 3 }
[IO.File]::WriteAllText('$ready', 'held')
Start-Sleep -Seconds $Seconds
"@
            Wait-Until { Test-Path $ready } -Seconds 60
            $process
        }

        function New-LockName { "machine-test-$([guid]::NewGuid().ToString('n'))" }
    }

    AfterEach {
        foreach ($child in $Children) {
            if (-not $child.HasExited) { $child.Kill($true); $null = $child.WaitForExit(10000) }
        }
        $Children.Clear()
        Stop-LeftoverWorker
    }

    AfterAll {
        Remove-Item $Scratch -Recurse -Force -ErrorAction Ignore
        # The holder records of this file's locks (one small file per lock name, kept by design).
        Remove-Item (Join-Path ([IO.Path]::GetTempPath()) 'PSThreading-locks-*/machine-test-*.holder') -ErrorAction Ignore
    }

    It 'keeps <Processes> processes of 200 increments each of a shared file counter exact' -TestCases @(
        @{ Processes = 2 }
        @{ Processes = 4 }
    ) {
        $name = New-LockName
        $counter = Join-Path $Scratch "counter-$([guid]::NewGuid().ToString('n'))"
        $go = "$counter.go"
        [IO.File]::WriteAllText($counter, '0')
        $children = foreach ($i in 1..$Processes) {
            Start-LockChild @"
while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 10 }
`$abandoned = 0
for (`$n = 0; `$n -lt 200; `$n++) {
    Invoke-WithLock -Name '$name' -Scope Machine -Timeout 60 {
        if ((New-ThreadLock -Name '$name' -Scope Machine).Abandoned) { `$abandoned++ }
        `$value = [int][IO.File]::ReadAllText('$counter')
        [IO.File]::WriteAllText('$counter', [string](`$value + 1))
    }
}
exit `$abandoned
"@
        }
        [IO.File]::WriteAllText($go, 'go')
        foreach ($child in $children) {
            $child.WaitForExit(180000) | Should -BeTrue
            $child.ExitCode | Should -Be 0 -Because 'no take sees the lock abandoned when every holder released it'
        }
        [int][IO.File]::ReadAllText($counter) | Should -Be (200 * $Processes)
    }

    It 'times out naming the process that holds it, which Holder shows too' {
        $name = New-LockName
        $holder = Start-LockHolder $name
        $lock = New-ThreadLock -Name $name -Scope Machine
        $lock.Scope | Should -Be 'Machine'
        $lock.Acquire(0.2) | Should -BeFalse
        $lock.Holder.ProcessId | Should -Be $holder.Id
        $lock.Holder.ThreadName | Should -Be 'MainThread'
        $lock.Holder.CommandLine | Should -Match 'child-.*\.ps1'
        $lock.Holder.Since | Should -BeLessOrEqual ([datetime]::Now)

        $clock = [Diagnostics.Stopwatch]::StartNew()
        { Invoke-WithLock -Name $name -Scope Machine -Timeout 0.5 { 'ran' } } |
            Should -Throw -ErrorId 'LockTimeout,*' -ExpectedMessage "*held by another process: process $($holder.Id) (*MainThread*"
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'is taken by a thread here as a process lock: HeldLocks lists it, another process waits' {
        $name = New-LockName
        $lock = New-ThreadLock -Name $name -Scope Machine
        $lock.Acquire() | Should -BeTrue
        try {
            (Get-ActiveThread -Current).HeldLocks | Should -Contain $lock
            $lock.Holder.IsThisProcess | Should -BeTrue
            $child = Start-LockChild "exit [int](New-ThreadLock -Name '$name' -Scope Machine).Acquire(0.3)"
            $child.WaitForExit(60000) | Should -BeTrue
            $child.ExitCode | Should -Be 0 -Because 'the child could not take a lock this process holds'
        }
        finally {
            $lock.Release()
        }
        $child = Start-LockChild "`$l = New-ThreadLock -Name '$name' -Scope Machine; if (`$l.Acquire(20) -and -not `$l.Abandoned) { exit 7 }"
        $child.WaitForExit(60000) | Should -BeTrue
        $child.ExitCode | Should -Be 7 -Because 'once released here, another process takes it, not abandoned'
    }

    It 'may be released by another thread of the holding process, as a plain lock' {
        $lock = New-ThreadLock -Name (New-LockName) -Scope Machine
        $lock.Acquire() | Should -BeTrue
        Start-WorkerThread -ArgumentList $lock { param($l) $l.Release() } | Wait-WorkerThread
        $lock.IsLocked | Should -BeFalse
        $lock.Acquire(0) | Should -BeTrue
        $lock.Release()
    }

    It 'is freed when the holding process is killed (SIGKILL) and the next taker is told (<Case>)' -Skip:($IsWindows) -TestCases @(
        @{ Case = 'the taker had it open'; OpenFirst = $true }
        @{ Case = 'nobody else had it open'; OpenFirst = $false }
    ) {
        $name = New-LockName
        if ($OpenFirst) { $lock = New-ThreadLock -Name $name -Scope Machine }
        $holder = Start-LockHolder $name
        & kill -9 $holder.Id
        $holder.WaitForExit(10000) | Should -BeTrue
        if (-not $OpenFirst) { $lock = New-ThreadLock -Name $name -Scope Machine }

        $seen = Invoke-WithLock -Name $name -Scope Machine -Timeout 20 -WarningVariable warnings -WarningAction SilentlyContinue {
            [pscustomobject]@{ Abandoned = $lock.Abandoned; By = $lock.AbandonedBy }
        }
        $seen.Abandoned | Should -BeTrue
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Match "abandoned: process $($holder.Id) \(.*MainThread"
        $lock.Abandoned | Should -BeFalse -Because 'a release clears it'
        $lock.Acquire(0) | Should -BeTrue
        $lock.Abandoned | Should -BeFalse -Because 'the take after a clean release is not abandoned'
        $lock.Release()
    }

    It 'tells a script''s own Acquire() that the killed process abandoned it, through the warning stream' -Skip:($IsWindows) {
        $name = New-LockName
        $lock = New-ThreadLock -Name $name -Scope Machine
        $holder = Start-LockHolder $name
        & kill -9 $holder.Id
        $holder.WaitForExit(10000) | Should -BeTrue

        $taken = & { $lock.Acquire(20) } 3>&1
        try {
            $taken[-1] | Should -BeTrue
            $lock.Abandoned | Should -BeTrue
            $warnings = @($taken | Where-Object { $_ -is [Management.Automation.WarningRecord] })
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match "abandoned: process $($holder.Id) \(.*ended \(the process died or was killed\)"
        }
        finally {
            $lock.Release()
        }
    }

    It 'stays held by a stopped holder (SIGSTOP): a waiter times out naming it, and takes it cleanly once it goes on' -Skip:($IsWindows) {
        $name = New-LockName
        $ready = Join-Path $Scratch "ready-$([guid]::NewGuid().ToString('n'))"
        $go = "$ready.go"
        $holder = Start-LockChild @"
`$lock = New-ThreadLock -Name '$name' -Scope Machine
if (-not `$lock.Acquire(30)) { exit 3 }
[IO.File]::WriteAllText('$ready', 'held')
while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }
`$lock.Release()
"@
        Wait-Until { Test-Path $ready } -Seconds 60
        & kill -STOP $holder.Id
        try {
            { Invoke-WithLock -Name $name -Scope Machine -Timeout 1 { 'ran' } } |
                Should -Throw -ErrorId 'LockTimeout,*' -ExpectedMessage "*held by another process: process $($holder.Id) (*"
        }
        finally {
            & kill -CONT $holder.Id
        }
        [IO.File]::WriteAllText($go, 'go')
        $seen = Invoke-WithLock -Name $name -Scope Machine -Timeout 30 -WarningVariable warnings { (New-ThreadLock -Name $name -Scope Machine).Abandoned }
        $seen | Should -BeFalse -Because 'the holder went on and released it'
        $warnings.Count | Should -Be 0
        $holder.WaitForExit(30000) | Should -BeTrue
        $holder.ExitCode | Should -Be 0
    }

    It 'is freed when a worker here fails holding it, and another process is told' {
        $name = New-LockName
        $lock = New-ThreadLock -Name $name -Scope Machine
        $worker = Start-WorkerThread -ArgumentList $lock { param($l) $null = $l.Acquire(); throw 'failed holding it' }
        $null = $worker | Wait-WorkerThread -ErrorAction SilentlyContinue
        $lock.IsLocked | Should -BeFalse
        $child = Start-LockChild @"
`$l = New-ThreadLock -Name '$name' -Scope Machine
if (`$l.Acquire(20) -and `$l.AbandonedBy -match "^process $PID .*'$($worker.Name)'") { exit 7 }
"@
        $child.WaitForExit(60000) | Should -BeTrue
        $child.ExitCode | Should -Be 7 -Because 'the other process sees it abandoned by this process and its thread'
    }

    It 'maps a name that a mutex name cannot hold to a legal one that every process shares' {
        $base = New-LockName
        $name = "$base/deploy\prod:eu"
        $lock = New-ThreadLock -Name $name -Scope Machine
        $lock.MutexName | Should -Match '^Global\\PSThreading-[a-z0-9._-]+$'
        New-ThreadLock -Name "$base/DEPLOY\PROD:EU" -Scope Machine | Should -Be $lock -Because 'lock names ignore case'
        $holder = Start-LockHolder $name
        $lock.Acquire(0.2) | Should -BeFalse
        $lock.Holder.ProcessId | Should -Be $holder.Id

        $lookalike = New-ThreadLock -Name "${base}_deploy_prod_eu" -Scope Machine
        $lookalike.MutexName | Should -Not -Be $lock.MutexName
        $lookalike.Acquire(0) | Should -BeTrue -Because 'a name that reads alike is another lock'
        $lookalike.Release()
    }

    It 'refuses -Scope Machine without a name, and a name taken by a process lock' {
        { New-ThreadLock -Scope Machine } | Should -Throw -ErrorId 'MachineLockNeedsName,*'
        $name = New-LockName
        $null = New-ThreadLock -Name $name
        { New-ThreadLock -Name $name -Scope Machine } | Should -Throw -ErrorId 'LockNameConflict,*' -ExpectedMessage '*-Scope Machine*'
        { Invoke-WithLock -Name $name -Scope Machine { } } | Should -Throw -ErrorId 'LockNameConflict,*'
    }

    It 'a wait for a lock another process holds ends at Stop-WorkerThread' {
        $name = New-LockName
        $lock = New-ThreadLock -Name $name -Scope Machine
        $null = Start-LockHolder $name
        $worker = Start-WorkerThread -ArgumentList $lock { param($l) $null = $l.Acquire() }
        Wait-Until { [object]::ReferenceEquals((Get-ActiveThread -Id $worker.ManagedThreadId).WaitingFor, $lock) } -Seconds 20
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $worker | Stop-WorkerThread -WarningAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 2
        $worker.State | Should -Be 'Stopped'
        $lock.IsLocked | Should -BeFalse
    }

    It 'a wait for a lock another process holds ends at SIGINT (Ctrl+C) on the main thread' -Skip:($IsWindows) {
        $name = New-LockName
        $null = Start-LockHolder $name
        Test-SigintEndsWait "`$l = New-ThreadLock -Name '$name' -Scope Machine" '$null = $l.Acquire()'
    }
}

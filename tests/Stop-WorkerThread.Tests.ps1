BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Stop-WorkerThread' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    It 'stops a worker in <Case> within a second' -TestCases @(
        @{ Case = 'a loop'; Block = { while ($true) { $i++ } } }
        @{ Case = 'Start-Sleep'; Block = { Start-Sleep -Seconds 30 } }
    ) {
        param($Case, $Block)
        $thread = Start-WorkerThread $Block
        Start-Sleep -Milliseconds 300
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $thread | Stop-WorkerThread -WarningAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 1.5
        $thread.State | Should -Be 'Stopped'
        $thread.IsAlive | Should -BeFalse
        $thread.EndTime | Should -Not -BeNullOrEmpty
    }

    It 'reports Stopped, never Failed or Completed, for a worker stopped the moment it starts' {
        # A stop that reached the worker's invocation before it began once failed the thread ("a command
        # is currently stopping") or let it end as Completed without running.
        $states = 1..50 | ForEach-Object {
            $thread = Start-WorkerThread { Start-Sleep -Seconds 30 }
            $thread | Stop-WorkerThread -WarningAction SilentlyContinue
            "$($thread.State)"
        }
        $states | Sort-Object -Unique | Should -Be 'Stopped'
    }

    It 'writes the threads with -PassThru' {
        $threads = 1..2 | ForEach-Object { Start-WorkerThread { Start-Sleep -Seconds 30 } }
        $out = $threads | Stop-WorkerThread -PassThru
        $out.Count | Should -Be 2
        $out.State | Should -Be @('Stopped', 'Stopped')
    }

    It 'does nothing with -WhatIf' {
        $thread = Start-WorkerThread { Start-Sleep -Seconds 30 }
        # "What if:" goes straight to the host, past every stream: a runspace without one keeps it off the console.
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$ModuleManifest'; `$args[0] | Stop-WorkerThread -WhatIf").AddArgument($thread).Invoke()
            $shell.Streams.Error | Should -BeNullOrEmpty
        }
        finally {
            $shell.Dispose()
        }
        $thread.IsAlive | Should -BeTrue
    }

    It 'keeps the output written before the stop' {
        $thread = Start-WorkerThread { 'early'; Start-Sleep -Seconds 30 }
        Wait-Until { $thread.HasMoreData }
        $thread | Stop-WorkerThread -WarningAction SilentlyContinue
        $thread | Wait-WorkerThread -Timeout 5 | Should -Be 'early'
    }

    It 'reports a thread stuck in a .NET call as still stopping, within a second' {
        # The worker hands over its .NET thread just before the call: the stop comes once it sleeps inside it.
        $box = [hashtable]::Synchronized(@{})
        $thread = Start-WorkerThread -ArgumentList $box { param($box) $box.Thread = [System.Threading.Thread]::CurrentThread; [System.Threading.Thread]::Sleep(6000) }
        Wait-Until { $box.Thread -and ($box.Thread.ThreadState -band [System.Threading.ThreadState]::WaitSleepJoin) }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = $thread | Stop-WorkerThread -PassThru -WarningVariable warned -WarningAction SilentlyContinue
        # 0.7 s of grace; a stop that waited for the call would take the 6 s.
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 4
        $out.State | Should -Be 'Stopping'
        $out.IsAlive | Should -BeTrue
        "$warned" | Should -Match 'still stopping'
        $null = $thread | Wait-WorkerThread -Timeout 10
        $thread.State | Should -Be 'Stopped'
    }

    It 'refuses to stop the main thread named as its argument, with a non-terminating error' {
        Stop-WorkerThread -Thread (Get-ActiveThread -Main) -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'CannotStopThread,PSThreading.Commands.StopWorkerThreadCommand'
        { Stop-WorkerThread -Name MainThread -ErrorAction Stop } | Should -Throw -ErrorId 'CannotStopThread,PSThreading.Commands.StopWorkerThreadCommand'
    }

    It 'passes over the main thread piped to it, without an error (said with -Verbose)' {
        Get-ActiveThread -Main | Stop-WorkerThread -ErrorVariable refused -Verbose 4>&1 -OutVariable said | Out-Null
        $refused.Count | Should -Be 0
        "$said" | Should -Match 'MainThread.*passed over'
    }

    It 'stops every worker piped from Get-ActiveThread, past the main thread it cannot stop' {
        # What Remove-Module's warning suggests; MainThread comes first in the list.
        $workers = 1..3 | ForEach-Object { Start-WorkerThread { Start-Sleep -Seconds 30 } }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Get-ActiveThread | Stop-WorkerThread -ErrorVariable refused
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $workers.State | Should -Be @('Stopped', 'Stopped', 'Stopped')
        # The advice works as written: no error for the threads it cannot stop.
        $refused.Count | Should -Be 0
    }

    It 'accepts a thread that already ended' {
        $thread = Start-WorkerThread { 1 }
        $null = $thread | Wait-WorkerThread -Timeout 10
        { $thread | Stop-WorkerThread } | Should -Not -Throw
        $thread.State | Should -Be 'Completed'
    }

    It 'stops the threads named by -Name (wildcards) or given by -Id' {
        $tag = [guid]::NewGuid().ToString('n').Substring(0, 6)
        $a = Start-WorkerThread -Name "stopname-$tag-a" { Start-Sleep -Seconds 30 }
        $b = Start-WorkerThread -Name "stopname-$tag-b" { Start-Sleep -Seconds 30 }
        $c = Start-WorkerThread { Start-Sleep -Seconds 30 }
        (Stop-WorkerThread -Name "stopname-$tag-*" -PassThru).Name | Should -Be @($a.Name, $b.Name)
        $a.State, $b.State | Should -Be @('Stopped', 'Stopped')
        Stop-WorkerThread -Id $c.ManagedThreadId
        $c.State | Should -Be 'Stopped'
    }

    It 'reports a name or id that matches no thread as a non-terminating ThreadNotFound error, and goes on' {
        $worker = Start-WorkerThread { Start-Sleep -Seconds 30 }
        Stop-WorkerThread -Name 'no-such-thread', $worker.Name -ErrorVariable missing -ErrorAction SilentlyContinue
        $worker.State | Should -Be 'Stopped'
        $missing.Count | Should -Be 1
        $missing[0].FullyQualifiedErrorId | Should -Be 'ThreadNotFound,PSThreading.Commands.StopWorkerThreadCommand'
        Stop-WorkerThread -Id 2147483000 -ErrorVariable noId -ErrorAction SilentlyContinue
        $noId[0].FullyQualifiedErrorId | Should -Be 'ThreadNotFound,PSThreading.Commands.StopWorkerThreadCommand'
    }

    It 'skips the main thread for a wildcard -Name (Stop-WorkerThread -Name * stops the workers)' {
        $worker = Start-WorkerThread { Start-Sleep -Seconds 30 }
        Stop-WorkerThread -Name '*' -ErrorVariable refused -WarningAction SilentlyContinue
        $refused | Should -BeNullOrEmpty
        $worker.State | Should -Be 'Stopped'
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Start-WorkerThread' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    It 'returns the thread at once while the block still runs' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $thread = Start-WorkerThread { Start-Sleep -Milliseconds 800; 'done' }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 0.5
        $thread.IsAlive | Should -BeTrue
        $thread.State | Should -Be 'Running'
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be 'done'
    }

    It 'gives the thread the documented properties' {
        $thread = Start-WorkerThread { 1 }
        $null = $thread | Wait-WorkerThread -Timeout 10
        $thread | Should -BeOfType ([PSThreading.Core.Threads.WorkerThread])
        $thread.Name | Should -Match '^Thread-\d+$'
        $thread.ManagedThreadId | Should -BeGreaterThan 0
        $thread.ManagedThreadId | Should -Not -Be ([Environment]::CurrentManagedThreadId)
        $thread.IsDaemon | Should -BeFalse
        $thread.IsAlive | Should -BeFalse
        $thread.State | Should -Be 'Completed'
        $thread.StartTime | Should -BeOfType ([datetime])
        $thread.EndTime | Should -BeGreaterOrEqual $thread.StartTime
        $thread.Error | Should -BeNullOrEmpty
    }

    It 'passes -ArgumentList to the block parameters' {
        $thread = Start-WorkerThread { param($a, $b) "$a+$b" } -ArgumentList 'x', 2
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be 'x+2'
    }

    It 'reads $using: variables, including member and index expressions' {
        $greeting = 'hello'
        $list = @(10, 20, 30)
        $item = [pscustomobject]@{ Size = 7 }
        $thread = Start-WorkerThread { "$using:greeting"; $using:list[1]; $using:item.Size }
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be @('hello', 20, 7)
    }

    It 'reads the braced ${using:name} form with members and indexes, as ForEach-Object -Parallel does' {
        $item = @{ Size = 7; Parts = @('a', 'b') }
        $thread = Start-WorkerThread { ${using:item}.Size; ${using:item}.Parts[1]; ${using:item}['Size'] }
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be @(7, 'b', 7)
        1, 2 | Invoke-ThreadPool { ${using:item}.Size + $_ } -Ordered | Should -Be @(8, 9)
        $PSThreadingMode = 'Inline'
        Start-WorkerThread { ${using:item}.Parts[0] } | Wait-WorkerThread -Timeout 10 | Should -Be 'a'
    }

    It 'reads $using:env:NAME and $using:variable:name like ThreadJob does' {
        $env:PSTHREADING_TEST_VALUE = 'from-env'
        $count = 3
        try {
            $thread = Start-WorkerThread { $using:env:PSTHREADING_TEST_VALUE; $using:variable:count; $null -eq $using:env:PSTHREADING_NEVER_SET }
            $thread | Wait-WorkerThread -Timeout 10 | Should -Be @('from-env', 3, $true)
        }
        finally {
            Remove-Item env:PSTHREADING_TEST_VALUE
        }
    }

    It 'runs a block taken from a function' {
        function Get-Doubled { param([int] $Value) $Value * 2 }
        $thread = Start-WorkerThread ${function:Get-Doubled} -ArgumentList 21
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be 42
    }

    It 'starts threads from inside a worker, with $using: read from that worker' {
        $outer = Start-WorkerThread {
            $suffix = 'from-outer'
            Start-WorkerThread { param($x) "$($x + 1) $using:suffix" } -ArgumentList 41 | Wait-WorkerThread -Timeout 20
        }
        $outer | Wait-WorkerThread -Timeout 30 | Should -Be '42 from-outer'
    }

    It 'runs with PSThreading loaded in the worker' {
        $thread = Start-WorkerThread { (Get-Module PSThreading).Name; (Get-ActiveThread -Current).Name } -Name 'loaded-check'
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be @('PSThreading', 'loaded-check')
    }

    It "runs in the caller's current location" {
        Push-Location $TestDrive
        try {
            $thread = Start-WorkerThread { (Get-Location).ProviderPath }
            $thread | Wait-WorkerThread -Timeout 10 | Should -Be (Get-Location).ProviderPath
        }
        finally {
            Pop-Location
        }
    }

    It "takes the caller's preference variables" {
        $WarningPreference = 'SilentlyContinue'
        $VerbosePreference = 'Continue'
        $thread = Start-WorkerThread { "$WarningPreference"; "$VerbosePreference" }
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be @('SilentlyContinue', 'Continue')
    }

    It 'names threads Thread-N, unique, unless -Name is given' {
        $threads = 1..3 | ForEach-Object { Start-WorkerThread { 1 } }
        $named = Start-WorkerThread { 1 } -Name 'reader'
        $null = $threads + $named | Wait-WorkerThread -Timeout 10
        $threads.Name | Should -Match '^Thread-\d+$'
        ($threads.Name | Select-Object -Unique).Count | Should -Be 3
        $named.Name | Should -Be 'reader'
    }

    It 'marks -Daemon threads' {
        $thread = Start-WorkerThread { 1 } -Daemon
        $null = $thread | Wait-WorkerThread -Timeout 10
        $thread.IsDaemon | Should -BeTrue
    }

    It 'leaks nothing from one worker to the next: variables, functions, location' {
        $null = Start-WorkerThread { $global:leaked = 1; function global:Get-Leaked { 1 }; Set-Location / } | Wait-WorkerThread -Timeout 10
        # One at a time: a finished worker's runspace is back in the cache before its join returns, so the next one reuses it.
        $seen = 1..2 | ForEach-Object {
            Start-WorkerThread { [bool](Get-Variable leaked -Scope Global -ErrorAction Ignore); Test-Path function:Get-Leaked; (Get-Location).ProviderPath } |
                Wait-WorkerThread -Timeout 10
        }
        $seen | Where-Object { $_ -is [bool] } | Should -Not -Contain $true
        $seen | Where-Object { $_ -is [string] } | Should -Not -Contain '/'
    }

    It 'closes idle worker runspaces beyond two after a few seconds' {
        $burst = 1..6 | ForEach-Object { Start-WorkerThread { Start-Sleep -Milliseconds 300 } }
        $null = $burst | Wait-WorkerThread -Timeout 20
        $deadline = [datetime]::UtcNow.AddSeconds(15)
        do {
            Start-Sleep -Milliseconds 250
            $idle = @(Get-Runspace | Where-Object { $_.Name -eq 'PSThreading' -and $_.RunspaceAvailability -eq 'Available' }).Count
        } while ($idle -gt 2 -and [datetime]::UtcNow -lt $deadline)
        $idle | Should -BeLessOrEqual 2
    }

    Context 'bad input' {
        It 'refuses <Case> with <ErrorId> and starts nothing' -TestCases @(
            @{ Case = 'a null block'; Call = { Start-WorkerThread -ScriptBlock $null }; ErrorId = 'ParameterArgumentValidationError,PSThreading.Commands.StartWorkerThreadCommand' }
            @{ Case = 'an empty name'; Call = { Start-WorkerThread { 1 } -Name '' }; ErrorId = 'ParameterArgumentValidationError,PSThreading.Commands.StartWorkerThreadCommand' }
            @{ Case = 'a white-space name'; Call = { Start-WorkerThread { 1 } -Name '  ' }; ErrorId = 'ParameterArgumentValidationError,PSThreading.Commands.StartWorkerThreadCommand' }
            @{ Case = 'an unset $using: variable'; Call = { Start-WorkerThread { $using:neverSetAnywhere } }; ErrorId = 'UsingVariableUndefined,PSThreading.Commands.StartWorkerThreadCommand' }
        ) {
            param($Case, $Call, $ErrorId)
            $before = @(Get-ActiveThread).Count
            { & $Call } | Should -Throw -ErrorId $ErrorId
            @(Get-ActiveThread).Count | Should -Be $before
        }

        It 'says what to do in the error message' {
            $message = { Start-WorkerThread { $using:neverSetAnywhere } } | Should -Throw -PassThru
            $message.Exception.Message | Should -Match 'ArgumentList'
        }
    }

    Context 'stack size (child pwsh)' {
        It 'runs recursion in a worker and in a pool item as deep as at the prompt' {
            # 3,000 calls deep overflows a 1 MB stack (the .NET default on Windows; 512 KB on macOS) and fits
            # PowerShell's own 10 MB. On Unix the child gets a 1 MB default stack, as Windows has, through ulimit.
            $file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-stack-$([guid]::NewGuid().ToString('n')).ps1"
            @"
Import-Module '$ModuleManifest'
`$deep = { function f(`$n) { if (`$n) { f (`$n - 1) } }; try { f 3000; 'ok' } catch { "failed: `$_" } }
"prompt: `$(& `$deep)"
"worker: `$(Start-WorkerThread `$deep | Wait-WorkerThread -Timeout 60)"
"pool: `$(1 | Invoke-ThreadPool { function f(`$n) { if (`$n) { f (`$n - 1) } }; try { f 3000; 'ok' } catch { "failed: `$_" } })"
"@ | Set-Content -Path $file
            try {
                if ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') {
                    $lines = & $PwshPath -NoProfile -NonInteractive -File $file
                }
                else {
                    $lines = & /bin/sh -c "ulimit -s 1024 && exec '$PwshPath' -NoProfile -NonInteractive -File '$file'"
                }
                $LASTEXITCODE | Should -Be 0
            }
            finally {
                Remove-Item $file -ErrorAction Ignore
            }

            $lines | Should -Be @('prompt: ok', 'worker: ok', 'pool: ok')
        }
    }

    Context 'at process exit (child pwsh)' {
        It 'waits for a non-daemon thread to finish before the process ends' {
            $marker = Join-Path $TestDrive 'non-daemon.txt'
            $result = Invoke-ChildPwsh "Start-WorkerThread { Start-Sleep -Milliseconds 1500; Set-Content -Path '$marker' -Value 'finished' } | Out-Null; 'main-done'"
            $result.ExitCode | Should -Be 0
            $result.Output | Should -Contain 'main-done'
            Get-Content $marker -ErrorAction Ignore | Should -Be 'finished'
        }

        It 'does not wait for a daemon thread' {
            $marker = Join-Path $TestDrive 'daemon.txt'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $result = Invoke-ChildPwsh "Start-WorkerThread -Daemon { Start-Sleep -Seconds 8; Set-Content -Path '$marker' -Value 'finished' } | Out-Null; 'main-done'"
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 7
            $result.ExitCode | Should -Be 0
            $result.Output | Should -Contain 'main-done'
            Test-Path $marker | Should -BeFalse
        }

        It 'does not wait for a daemon thread stuck in a .NET call' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $result = Invoke-ChildPwsh "Start-WorkerThread -Daemon { [System.Threading.Thread]::Sleep(30000) } | Out-Null; Start-Sleep -Milliseconds 300; 'main-done'"
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
            $result.ExitCode | Should -Be 0
            $result.Output | Should -Contain 'main-done'
        }

        It 'shows Write-Host from a worker as it happens, before the join' {
            $result = Invoke-ChildPwsh @'
$thread = Start-WorkerThread { Write-Host 'worker-line'; Write-Information 'worker-info' -InformationAction Continue }
Start-Sleep -Milliseconds 1500
Write-Host 'main-line'
$thread | Wait-WorkerThread | Out-Null
'@
            $result.ExitCode | Should -Be 0
            $lines = $result.Output
            $lines | Should -Contain 'worker-line'
            $lines | Should -Contain 'worker-info'
            [array]::IndexOf($lines, 'worker-line') | Should -BeLessThan ([array]::IndexOf($lines, 'main-line'))
        }
    }
}

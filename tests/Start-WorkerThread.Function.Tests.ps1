BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Issue 15: the caller's functions and modules in a worker thread (-Function, -Module), and the hint a
# worker's "not recognized" error gives when the caller has a function of that name.
Describe 'Start-WorkerThread -Function and -Module' {
    BeforeAll {
        function Get-H4Greeting { param($Name) "hello $Name" }
        filter Get-H4Filtered { "filtered $_" }
        $modulePath = Join-Path $TestDrive 'H4ThreadModule.psm1'
        Set-Content -Path $modulePath -Value 'function Get-H4FromModule { "from module" }'
        Import-Module $modulePath
    }

    AfterAll {
        Remove-Module H4ThreadModule -ErrorAction Ignore
    }

    AfterEach {
        Stop-LeftoverWorker
    }

    It 'defines the named functions and filters of the caller in the worker' {
        $out = Start-WorkerThread -Function Get-H4Greeting, Get-H4Filtered { Get-H4Greeting 'w'; 1 | Get-H4Filtered } | Wait-WorkerThread
        $out | Should -Be 'hello w', 'filtered 1'
    }

    It 'imports the named modules of the caller in the worker, from the path they were loaded from' {
        $out = Start-WorkerThread -Module H4ThreadModule { Get-H4FromModule; (Get-Module H4ThreadModule).Path } | Wait-WorkerThread
        $out | Should -Be 'from module', (Get-Module H4ThreadModule).Path
    }

    It 'imports a module available by name that the caller has not loaded' {
        $folder = Join-Path $TestDrive 'modules'
        $null = New-Item -ItemType Directory -Path (Join-Path $folder 'H4Available')
        Set-Content -Path (Join-Path $folder 'H4Available/H4Available.psm1') -Value 'function Get-H4Available { "available" }'
        $saved = $env:PSModulePath
        try {
            $env:PSModulePath = $folder + [IO.Path]::PathSeparator + $saved
            $out = Start-WorkerThread -Module H4Available { Get-H4Available } | Wait-WorkerThread
        }
        finally {
            $env:PSModulePath = $saved
        }
        $out | Should -Be 'available'
    }

    It 'leaves nothing it defined for the next worker' {
        $null = Start-WorkerThread -Function Get-H4Greeting -Module H4ThreadModule { Get-H4Greeting 'x' } | Wait-WorkerThread
        $out = 1..3 | ForEach-Object {
            Start-WorkerThread { [bool] (Get-Command Get-H4Greeting, Get-H4FromModule -ErrorAction Ignore) -or [bool] (Get-Module H4ThreadModule) }
        } | Wait-WorkerThread
        $out | Should -Be $false, $false, $false
    }

    It 'refuses a name the caller does not have with <ErrorId>, before a thread starts' -TestCases @(
        @{ Parameter = 'Function'; ErrorId = 'FunctionNotFound' }
        @{ Parameter = 'Module'; ErrorId = 'ModuleNotFound' }
    ) {
        $before = @(Get-ActiveThread).Count
        $splat = @{ $Parameter = 'No-SuchH4Thing' }
        { Start-WorkerThread { 'ran' } @splat } | Should -Throw -ErrorId "$ErrorId,PSThreading.Commands.StartWorkerThreadCommand"
        @(Get-ActiveThread).Count | Should -Be $before
    }

    It 'says to pass -Function when the worker calls a function only the caller has' {
        $null = Start-WorkerThread { Get-H4Greeting 'w' } | Wait-WorkerThread -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].Exception | Should -BeOfType ([System.Management.Automation.CommandNotFoundException])
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'CommandNotFoundException*'
        $failures[0].Exception.Message | Should -BeLike "*not recognized*The caller has a function 'Get-H4Greeting'; pass -Function Get-H4Greeting*"
    }

    It 'takes -TimeoutSeconds for Wait-WorkerThread -Timeout' {
        $thread = Start-WorkerThread { Start-Sleep -Seconds 30 }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = $thread | Wait-WorkerThread -TimeoutSeconds 0.2
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $thread.State | Should -Be 'Running'
    }
}

Describe 'Hints for the first-hour mistakes' {
    AfterEach { Stop-LeftoverWorker }

    It "a caller's variable read without `$using: under Set-StrictMode: the error says `$using:<name> (<Case>)" -TestCases @(
        @{ Case = 'Start-WorkerThread'; Run = { $t = Start-WorkerThread { Set-StrictMode -Version Latest; "value $hintedVariable" } -WarningAction SilentlyContinue; $t | Wait-WorkerThread -ErrorVariable failed -ErrorAction SilentlyContinue; $failed } }
        @{ Case = 'Invoke-ThreadPool'; Run = { 1 | Invoke-ThreadPool { Set-StrictMode -Version Latest; "value $hintedVariable" } -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue; $failed } }
    ) {
        param($Case, $Run)
        $hintedVariable = 'here'
        $failed = @(& $Run)
        $failed.Count | Should -BeGreaterThan 0
        "$($failed[0])" | Should -Match 'cannot be retrieved'
        "$($failed[0])" | Should -Match ([regex]::Escape('$using:hintedVariable'))
    }

    It 'no $using: hint when the caller has no variable of that name' {
        $t = Start-WorkerThread { Set-StrictMode -Version Latest; "value $noSuchVariableAnywhere" }
        $t | Wait-WorkerThread -ErrorVariable failed -ErrorAction SilentlyContinue
        "$($failed[0])" | Should -Match 'cannot be retrieved'
        "$($failed[0])" | Should -Not -Match 'using:'
    }

    It 'a positional value after the block says to use -ArgumentList, and starts no thread' {
        $before = @(Get-ActiveThread).Count
        $thrown = { Start-WorkerThread { param($x) $x } 5 } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -Match '-ArgumentList'
        $thrown.FullyQualifiedErrorId | Should -BeLike 'PositionalParameterNotFound*'
        @(Get-ActiveThread).Count | Should -Be $before
    }
}

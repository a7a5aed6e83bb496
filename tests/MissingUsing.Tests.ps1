BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# A newcomer's commonest mistake: a block reads a caller's variable without $using:, and silently gets $null.
# Each call warns once, before anything runs, naming the variables and the fix; code that is right is never warned.

Describe 'a caller variable read without $using:' {
    BeforeAll {
        # What a call wrote to the warning stream, as text: one line per warning.
        function script:Get-Warnings([scriptblock] $Call) {
            (@(& $Call 3>&1 2>$null | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)) -join "`n" 
        }
    }

    It 'warns once per call, naming the variable and $using:, and the item still reads $null' {
        $factor = 3
        $all = 1..10 | Invoke-ThreadPool { "[$factor]" } 3>&1
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match '^The block reads \$factor, which the caller has but the worker does not'
        $warnings[0].Message | Should -Match 'Write \$using:factor'
        @($all | Where-Object { $_ -is [string] } | Select-Object -Unique) | Should -Be '[]'
    }

    It 'warns for Start-WorkerThread, -Isolation Process, -AsJob and each of -Begin and -End' {
        $server = 'web1'
        (Get-Warnings { Start-WorkerThread { $server } | Wait-WorkerThread }) | Should -Match 'reads \$server'
        (Get-Warnings { 1 | Invoke-ThreadPool -Isolation Process { $server } }) | Should -Match 'reads \$server'
        (Get-Warnings { 1 | Invoke-ThreadPool -AsJob { $server } | Wait-WorkerThread }) | Should -Match 'reads \$server'
        $setup = Get-Warnings { 1 | Invoke-ThreadPool -Begin { $null = $server } -End { $null = $server } { $_ } }
        $setup | Should -Match '(?m)^The -Begin block reads \$server'
        $setup | Should -Match '(?m)^The -End block reads \$server'
    }

    It 'names every such variable of the block, also in strings and nested blocks' {
        $a = 1; $b = 2
        $warnings = Get-Warnings { 1 | Invoke-ThreadPool { "$a"; 1..3 | Where-Object { $_ -gt $b } } }
        $warnings | Should -Match 'reads \$a, \$b,'
    }

    It 'says nothing for code that is right: <Case>' -TestCases @(
        @{ Case = '$using:'; Call = { 1 | Invoke-ThreadPool { $using:x } } }
        @{ Case = '$using: with a member or an index'; Call = { 1 | Invoke-ThreadPool { $using:x.Count; $using:x[0]; ${using:x}.Length; & { $using:x.Count } } } }
        @{ Case = 'a variable the block sets'; Call = { 1 | Invoke-ThreadPool { $x = 2; $x } } }
        @{ Case = 'a param() of the block'; Call = { Start-WorkerThread { param($x) $x } -ArgumentList 1 | Wait-WorkerThread } }
        @{ Case = 'a variable -Begin sets'; Call = { 1 | Invoke-ThreadPool -Begin { $x = 3 } { $x } } }
        @{ Case = 'a foreach variable'; Call = { 1 | Invoke-ThreadPool { foreach ($x in 1..2) { $x } } } }
        @{ Case = 'a counter'; Call = { 1 | Invoke-ThreadPool { $x++; $x } } }
        @{ Case = 'a [ref] a method sets'; Call = { 1 | Invoke-ThreadPool { $null = [int]::TryParse('7', [ref] $x); $x } } }
        @{ Case = 'automatic variables'; Call = { 1 | Invoke-ThreadPool { $PID; $_; $PSItem; $args; $ErrorActionPreference; $PSThreadingAttempt } } }
        @{ Case = 'dot-sourcing, which may set it'; Call = { 1 | Invoke-ThreadPool { . { $x = 1 }; $x } } }
        @{ Case = '-OutVariable, which sets it'; Call = { 1 | Invoke-ThreadPool { $null = Get-Date -OutVariable x; $x } } }
        @{ Case = 'a variable the caller does not have'; Call = { 1 | Invoke-ThreadPool { $notSetByTheCaller } } }
        @{ Case = 'a scope-qualified variable'; Call = { 1 | Invoke-ThreadPool { $global:x; $env:HOME } } }
    ) {
        param($Case, $Call)
        $x = 5
        Get-Warnings $Call | Should -BeNullOrEmpty
    }
}

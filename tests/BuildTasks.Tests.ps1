BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# The build's own test runner: a suite that did not pass must never read as green.
Describe 'tools/BuildTasks.ps1' {
    BeforeAll {
        . (Join-Path $RepoRoot 'tools/BuildTasks.ps1')
        # A stand-in for 'dotnet test': writes the results file it is asked for, then exits as told.
        function Set-FakeDotnet([int] $Passed, [int] $Failed, [int] $ExitCode) {
            $script:FakeRun = @{ Passed = $Passed; Failed = $Failed; ExitCode = $ExitCode }
        }
        function dotnet {
            $trx = ($args | Where-Object { $_ -like 'trx;LogFileName=*' }) -replace '^trx;LogFileName='
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $trx -Parent)
            Set-Content -Path $trx -Value ("<TestRun><ResultSummary><Counters total='{0}' passed='{1}' failed='{2}' error='0' timeout='0' /></ResultSummary></TestRun>" -f
                ($FakeRun.Passed + $FakeRun.Failed), $FakeRun.Passed, $FakeRun.Failed)
            $global:LASTEXITCODE = $FakeRun.ExitCode
        }
        $script:RepoRoot = Join-Path $TestDrive 'repo'
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $RepoRoot 'tests/Fake.Tests')
        Set-Content -Path (Join-Path $RepoRoot 'tests/Fake.Tests/Fake.Tests.csproj') -Value '<Project />'
    }

    It 'Demo: the examples get a temporary folder of their own, removed afterwards (nothing left in the shared one)' {
        $examples = Join-Path $RepoRoot 'examples'
        $null = New-Item -ItemType Directory -Force -Path $examples
        $said = Join-Path $TestDrive 'demo-temp-path.txt'
        # As example 13 does with its log: a file in the temporary folder, left there.
        Set-Content -Path (Join-Path $examples '01-writes-a-temp-file.ps1') -Value (
            "`$file = Join-Path ([IO.Path]::GetTempPath()) 'psthreading-demo-leftover.log'; Set-Content `$file 'log'; Set-Content '$said' `$file")
        $failed = Invoke-DemoTask 6>$null
        $failed | Should -Be 0
        $written = Get-Content $said
        $written | Should -Not -BeNullOrEmpty
        Test-Path $written | Should -BeFalse -Because 'the demo removes the temporary folder it gave the examples'
        (Split-Path $written -Parent).TrimEnd('/', '\') | Should -Not -Be ([IO.Path]::GetTempPath().TrimEnd('/', '\'))
    }

    It 'counts a failure when dotnet test exits non-zero though its results show none (a crashed test host)' {
        Set-FakeDotnet -Passed 12 -Failed 0 -ExitCode 134
        $total = Invoke-XunitSuite -Configuration Release 6>$null
        $total.Passed | Should -Be 12
        $total.Failed | Should -Be 1
        # Failures the results do show are counted once, not once more for the exit code.
        Set-FakeDotnet -Passed 10 -Failed 2 -ExitCode 1
        (Invoke-XunitSuite -Configuration Release 6>$null).Failed | Should -Be 2
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# The compatibility leg (tools/CompatTasks.ps1): the canaries, the examples and a Pester smoke set on a second
# PowerShell, counted into the one line CI reads.
Describe 'tools/CompatTasks.ps1' {
    BeforeAll {
        . (Join-Path $RepoRoot 'tools/BuildTasks.ps1')
        $script:RealManifest = $CompatManifest
        $script:RepoRoot = Join-Path $TestDrive 'repo'
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $RepoRoot 'tests')
    }

    Context 'with the second PowerShell stubbed' {
        BeforeEach {
            $script:CompatCanaryTests = @('Canary')
            $script:CompatSmokeTests = @('Present')
            Set-Content -Path (Join-Path $RepoRoot 'tests/Present.Tests.ps1') -Value ''
            Remove-Item (Join-Path $RepoRoot 'tests/Canary.Tests.ps1') -ErrorAction Ignore
            Mock Get-CompatPowerShell { [pscustomobject]@{ Version = '9.9.9'; PwshPath = '/second/pwsh' } }
            Mock Invoke-PesterSuite { [pscustomobject]@{ Passed = 4; Failed = 0; Skipped = 1 } }
            Mock Invoke-Example { [pscustomobject]@{ Passed = 14; Failed = 0 } }
        }

        It 'Test: the leg''s counts join the one line CI reads, and its failure fails the run' {
            Mock Invoke-XunitSuite { [pscustomobject]@{ Passed = 100; Failed = 0 } }
            Mock Invoke-PesterSuite -ParameterFilter { $Filter -eq '*' -and -not $Path } { [pscustomobject]@{ Passed = 50; Failed = 0; Skipped = 2 } }
            Mock Invoke-Example -ParameterFilter { -not $PwshPath } { [pscustomobject]@{ Passed = 14; Failed = 0 } }
            Mock Invoke-Example -ParameterFilter { $PwshPath -eq '/second/pwsh' } { [pscustomobject]@{ Passed = 13; Failed = 1 } }
            $lines = @(Invoke-TestTask -Configuration Release 6>&1 | ForEach-Object { "$_" })
            $lines[-1] | Should -Be '1' -Because 'an example that failed on the second PowerShell fails the run'
            $lines[-2] | Should -Be '181 passed, 1 failed, 3 skipped'
            $lines | Should -Contain "PowerShell $($PSVersionTable.PSVersion) (xunit, Pester, examples): 164 passed, 0 failed, 2 skipped"
            $lines | Where-Object { $_ -like 'PowerShell 9.9.9 (canaries, examples, Pester smoke set): 17 passed, 1 failed, 1 skipped in *' } |
                Should -Not -BeNullOrEmpty
        }

        It 'Test with -Filter runs only the matching Pester files, on this PowerShell' {
            $null = Invoke-TestTask -Configuration Release -Filter 'Present' 6>$null
            Should -Invoke Get-CompatPowerShell -Times 0 -Exactly
            Should -Invoke Invoke-Example -Times 0 -Exactly
        }

        It 'runs the smoke set and the examples with the second PowerShell, and the canaries once they exist' {
            $null = Invoke-CompatLeg 6>$null
            Should -Invoke Invoke-PesterSuite -Times 1 -Exactly -ParameterFilter {
                $PwshPath -eq '/second/pwsh' -and ($Path -join ',') -eq (Join-Path $RepoRoot 'tests/Present.Tests.ps1') }
            Should -Invoke Invoke-Example -Times 1 -Exactly -ParameterFilter { $PwshPath -eq '/second/pwsh' }

            Set-Content -Path (Join-Path $RepoRoot 'tests/Canary.Tests.ps1') -Value ''
            $null = Invoke-CompatLeg 6>$null
            Should -Invoke Invoke-PesterSuite -Times 1 -Exactly -ParameterFilter { $Path -contains (Join-Path $RepoRoot 'tests/Canary.Tests.ps1') }
        }

        It 'fails when a listed smoke file is missing, so a rename cannot shrink the set unnoticed' {
            $script:CompatSmokeTests = @('Present', 'Renamed')
            $total = Invoke-CompatLeg 6>$null
            $total.Failed | Should -Be 1
            $total.Passed | Should -Be 18
        }

        It 'fails when the second PowerShell cannot be restored or started' {
            Mock Get-CompatPowerShell { throw 'no such package' }
            $total = Invoke-CompatLeg 6>$null
            $total.Failed | Should -Be 1
            Should -Invoke Invoke-PesterSuite -Times 0 -Exactly
        }

        It 'gives the second PowerShell a module path without this one''s in-box modules, and restores it' {
            $before = $env:PSModulePath
            Mock Get-CompatPowerShell {
                $script:SeenModulePath = $env:PSModulePath
                [pscustomobject]@{ Version = '9.9.9'; PwshPath = '/second/pwsh' }
            }
            $null = Invoke-CompatLeg 6>$null
            $before | Should -BeLike "*$PSHOME*" -Because 'this pwsh names its own in-box modules'
            $SeenModulePath | Should -Not -BeLike "*$PSHOME*"
            $env:PSModulePath | Should -Be $before
        }
    }

    It 'an example that fails or does not end counts as failed, and the run goes on' {
        $examples = Join-Path $RepoRoot 'examples'
        $null = New-Item -ItemType Directory -Force -Path $examples
        Get-ChildItem $examples | Remove-Item
        Set-Content -Path (Join-Path $examples '01-fails.ps1') -Value 'exit 3'
        Set-Content -Path (Join-Path $examples '02-hangs.ps1') -Value 'Start-Sleep -Seconds 600'
        Set-Content -Path (Join-Path $examples '03-passes.ps1') -Value 'exit 0'
        $script:ExampleTimeoutSeconds = 10
        $result = Invoke-Example 6>$null
        $result.Failed | Should -Be 2
        $result.Passed | Should -Be 1
    }

    It 'the pinned second PowerShell starts, is not the one running the suite, and loads its own in-box modules' {
        Mock Invoke-PesterSuite { [pscustomobject]@{ Passed = 1; Failed = 0 } }
        Mock Invoke-Example { [pscustomobject]@{ Passed = 1; Failed = 0 } }
        $script:CompatManifest = $RealManifest
        $script:CompatCanaryTests = @()
        $script:CompatSmokeTests = @()
        # Get-CompatPowerShell throws (counted as one failure) when it does not start or loads another's modules.
        (Invoke-CompatLeg 6>$null).Failed | Should -Be 0
        Should -Invoke Invoke-PesterSuite -Times 1 -Exactly -ParameterFilter {
            (Test-Path $PwshPath) -and (Split-Path $PwshPath -Parent) -ne $PSHOME }
        $pinned = (Get-Content $RealManifest -Raw | ConvertFrom-Json).tools.powershell.version
        $pinned | Should -Not -Be "$($PSVersionTable.PSVersion)" -Because 'a second leg on the same PowerShell tests nothing new'
    }
}

# The platform claims name the PowerShell versions the tests run on: bumping a pinned version without them fails.
Describe 'Platform claims' {
    BeforeAll {
        # The describe above points $RepoRoot at a fake repository.
        $root = Split-Path $PSScriptRoot -Parent
        $pinned = foreach ($manifest in '.config/dotnet-tools.json', 'tools/CompatPowerShell/.config/dotnet-tools.json') {
            (Get-Content (Join-Path $root $manifest) -Raw | ConvertFrom-Json).tools.powershell.version
        }
        $script:Pinned = @($pinned)
        $psData = Import-PowerShellDataFile (Join-Path $root 'module/PSThreading.psd1')
        $readme = Get-Content (Join-Path $root 'README.md') -Raw
        $about = Get-Content (Join-Path $root 'docs/en-US/about_PSThreading.md') -Raw
        $script:Claims = @{
            'the manifest''s description'   = $psData.Description
            'the manifest''s release notes' = $psData.PrivateData.PSData.ReleaseNotes
            'README''s Platforms section'   = ($readme -split '(?m)^## ' | Where-Object { $_ -like 'Platforms*' }) -join ''
            'about_PSThreading''s NOTE'     = ($about -split '(?m)^## ' | Where-Object { $_ -like 'NOTE*' }) -join ''
        }
    }

    It 'two different PowerShell versions are pinned' {
        $Pinned.Count | Should -Be 2
        $Pinned[0] | Should -Not -Be $Pinned[1]
    }

    It '<Where> names both tested versions, Linux, and Windows PowerShell 5.1 as compile-time only' -TestCases @(
        @{ Where = 'the manifest''s description' }
        @{ Where = 'the manifest''s release notes' }
        @{ Where = 'README''s Platforms section' }
        @{ Where = 'about_PSThreading''s NOTE' }
    ) {
        $text = $Claims[$Where] -replace '\s+', ' '
        foreach ($version in $Pinned) { $text | Should -Match ([regex]::Escape($version)) }
        $text | Should -Match 'Linux'
        $text | Should -Match 'Windows PowerShell 5\.1'
        $text | Should -Match 'compile-time only'
    }
}

<#
.SYNOPSIS
    Builds, tests and demonstrates PSThreading.
.DESCRIPTION
    Build  : compiles the module and assembles output/PSThreading (manifest, binaries, help).
    Test   : Build, then the xunit suite and the Pester suite (in a fresh pwsh); with no -Filter also the examples and
             the Compat leg. Prints 'N passed, N failed' for all of them.
    Compat : Build, then on the second PowerShell pinned in tools/CompatPowerShell: the engine canaries, the examples
             and a Pester smoke set (tools/CompatTasks.ps1).
    Demo   : Build, then runs every script in examples/.
    Bench  : Build, then the benchmarks in bench/.
    Stress : Build, then the concurrency test files (those -Filter matches) -Repeat times in a row.
    Package: Build, then packs output/PSThreading as a PowerShell-gallery nupkg (output/PSThreading.<version>.nupkg).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
#Requires -Version 7.2
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Compat', 'Demo', 'Bench', 'Stress', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Stress: how many times each concurrency test file runs.
    [int] $Repeat = 20,

    # Test, Stress: run only the Pester files whose name matches (wildcards), e.g. 'WorkerThread*'.
    [string] $Filter = '*'
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'tools/BuildTasks.ps1')

$exitCode = switch ($Task) {
    'Build' { Invoke-BuildTask -Configuration $Configuration; 0 }
    'Test' { Invoke-BuildTask -Configuration $Configuration; Invoke-TestTask -Configuration $Configuration -Filter $Filter }
    'Compat' { Invoke-BuildTask -Configuration $Configuration; Invoke-CompatTask }
    'Demo' { Invoke-BuildTask -Configuration $Configuration; Invoke-DemoTask }
    'Bench' { Invoke-BuildTask -Configuration $Configuration; Invoke-BenchTask }
    'Stress' { Invoke-BuildTask -Configuration $Configuration; Invoke-StressTask -Repeat $Repeat -Filter $Filter }
    'Package' { Invoke-BuildTask -Configuration $Configuration; Invoke-PackageTask; 0 }
}
exit ([int]($exitCode | Select-Object -Last 1))

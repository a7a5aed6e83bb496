# The tasks behind build.ps1. Each task prints what it does; failures throw.

$script:RepoRoot = Split-Path $PSScriptRoot -Parent
$script:OutputModule = Join-Path $RepoRoot 'output/PSThreading'
$script:PesterVersion = '5.7.1'
$script:PwshPath = Join-Path $PSHOME 'pwsh'
# The whole Pester run is bounded: a hung concurrency test fails the run instead of hanging CI.
# 73 files take about 730 s on a quiet 2-core machine and 880 s under load: 1,000 keeps a hang bounded
# and the whole CI run (build, xunit, Pester, examples, the second PowerShell's leg) under 20 minutes when quiet.
$script:PesterTimeoutSeconds = 1000
# Each example is bounded too (they take seconds): a hung one fails the run instead of hanging it.
$script:ExampleTimeoutSeconds = 120

function Invoke-Native {
    param([string] $FilePath, [string[]] $ArgumentList)
    # Out-Host: a task's pipeline output is its result, so tool output must not join it.
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-BuildTask {
    param([string] $Configuration)
    Write-Host "==> Build ($Configuration)"
    $project = Join-Path $RepoRoot 'src/PSThreading/PSThreading.csproj'
    $binOut = Join-Path $RepoRoot "src/PSThreading/bin/$Configuration/netstandard2.0"
    Invoke-Native dotnet @('build', $project, '-c', $Configuration, '-nologo', '-v', 'q', '-clp:NoSummary')

    if (Test-Path $OutputModule) {
        Remove-Item $OutputModule -Recurse -Force
    }
    $null = New-Item -ItemType Directory -Path $OutputModule
    foreach ($name in 'PSThreading.dll', 'PSThreading.Core.dll') {
        Copy-Item (Join-Path $binOut $name) $OutputModule
    }
    Copy-Item (Join-Path $RepoRoot 'module/*') $OutputModule -Recurse
    # Shipped in the package: the manifest's ReleaseNotes point to the changelog, its Copyright to the licence.
    Copy-Item (Join-Path $RepoRoot 'LICENSE'), (Join-Path $RepoRoot 'CHANGELOG.md') $OutputModule
    Invoke-HelpGenerator -Configuration $Configuration
    Write-Host "    module assembled in $OutputModule"
}

# Runs on every build, so it avoids 'dotnet run' (an MSBuild pass of ~2 s even when nothing changed):
# the generator is built only when its sources are newer than its dll, then the dll is run directly.
function Invoke-HelpGenerator {
    param([string] $Configuration)
    $project = Join-Path $RepoRoot 'tools/HelpGenerator/HelpGenerator.csproj'
    if (-not (Test-Path $project)) {
        return
    }
    $projectDir = Split-Path $project -Parent
    $dll = Join-Path $projectDir "bin/$Configuration/net10.0/HelpGenerator.dll"
    $sources = @(Get-ChildItem $projectDir -Recurse -File -Include '*.cs', '*.csproj' |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' })
    $sources += Get-Item (Join-Path $RepoRoot 'Directory.Build.props'), (Join-Path $RepoRoot 'Directory.Packages.props')
    $newestSource = ($sources | Measure-Object LastWriteTimeUtc -Maximum).Maximum
    if (-not (Test-Path $dll) -or (Get-Item $dll).LastWriteTimeUtc -lt $newestSource) {
        Invoke-Native dotnet @('build', $project, '-c', $Configuration, '-nologo', '-v', 'q', '-clp:NoSummary')
    }
    Invoke-Native dotnet @($dll, (Join-Path $RepoRoot 'docs/en-US'), (Join-Path $OutputModule 'en-US'))
}

function Get-PesterManifest {
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $manifest = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        Write-Host "==> Restoring Pester $PesterVersion from NuGet"
        Invoke-Native dotnet @('restore', (Join-Path $RepoRoot 'tools/TestDependencies/TestDependencies.csproj'), '-nologo', '-v', 'q')
    }
    if (-not (Test-Path $manifest)) {
        throw "Pester $PesterVersion was restored but $manifest is missing."
    }
    $manifest
}

function Invoke-XunitSuite {
    param([string] $Configuration)
    $results = Join-Path $RepoRoot 'output/test-results'
    $total = [pscustomobject]@{ Passed = 0; Failed = 0; Failures = [Collections.Generic.List[string]]::new() }
    # Every xunit project under tests/, each with its own results file; the counts are summed.
    foreach ($project in Get-ChildItem (Join-Path $RepoRoot 'tests') -Filter '*.csproj' -Recurse | Sort-Object Name) {
        Write-Host "==> xunit ($($project.BaseName))"
        $trx = Join-Path $results "$($project.BaseName).trx"
        Remove-Item $trx -ErrorAction Ignore
        & dotnet test $project.FullName -c $Configuration -nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' -- 'RunConfiguration.TestSessionTimeout=600000' |
            Out-Host
        $exitCode = $LASTEXITCODE
        if (-not (Test-Path $trx)) {
            Write-Host "    xunit produced no results (exit code $exitCode): counted as one failure."
            $total.Failed++
            continue
        }
        $run = ([xml](Get-Content $trx -Raw)).TestRun
        $counters = $run.ResultSummary.Counters
        foreach ($result in @($run.Results.UnitTestResult | Where-Object outcome -eq 'Failed')) {
            $total.Failures.Add("$($project.BaseName): $($result.testName)")
        }
        $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
        $total.Passed += [int]$counters.passed
        $total.Failed += $failed
        if ($exitCode -ne 0 -and $failed -eq 0) {
            # A test host that crashed or timed out leaves a results file with only the tests run so far.
            Write-Host "    dotnet test exited with code $exitCode though its results show no failure: counted as one failure."
            $total.Failed++
        }
    }
    $total
}

function Invoke-PesterSuite {
    param(
        [string] $Filter = '*',
        [string[]] $Path,
        # Another PowerShell's launcher (the compatibility leg); the tests' child processes use the same one.
        [string] $PwshPath = $script:PwshPath,
        [string] $SummaryName = 'pester-summary.json',
        [int] $TimeoutSeconds = $PesterTimeoutSeconds
    )
    $pester = Get-PesterManifest
    $results = Join-Path $RepoRoot 'output/test-results'
    $null = New-Item -ItemType Directory -Force -Path $results
    $summary = Join-Path $results $SummaryName
    Remove-Item $summary -ErrorAction Ignore
    if (-not $Path) {
        $Path = Get-ChildItem (Join-Path $RepoRoot 'tests') -Filter "$Filter.Tests.ps1" | ForEach-Object FullName
    }
    Write-Host "==> Pester ($($Path.Count) files, fresh pwsh)"
    $runner = Join-Path $RepoRoot 'tools/RunPester.ps1'
    $process = Start-Process -FilePath $PwshPath -NoNewWindow -PassThru -ArgumentList @(
        '-NoProfile', '-NonInteractive', '-File', $runner,
        '-PesterManifest', $pester, '-SummaryPath', $summary, '-TestPath', ($Path -join [IO.Path]::PathSeparator))
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        Write-Host "    Pester did not finish in $TimeoutSeconds s: stopped, counted as one failure."
        $process.Kill($true)
        return [pscustomobject]@{ Passed = 0; Failed = 1 }
    }
    if (-not (Test-Path $summary)) {
        Write-Host "    Pester exited ($($process.ExitCode)) without a summary: counted as one failure."
        return [pscustomobject]@{ Passed = 0; Failed = 1 }
    }
    $result = Get-Content $summary -Raw | ConvertFrom-Json
    if ($result.PSObject.Properties['Durations'] -and $result.Durations) {
        # The slowest files, so the time CI takes stays in view.
        $slowest = $result.Durations | Select-Object -First 8 | ForEach-Object { "$($_.File) $($_.Seconds) s" }
        Write-Host "    slowest: $($slowest -join '; ')"
    }
    $result
}

# Sums suites' counts (each suite has Passed and Failed, and may have Skipped).
function Measure-TestCount {
    param([object[]] $Suite)
    [pscustomobject]@{
        Passed   = [int]($Suite | Measure-Object Passed -Sum).Sum
        Failed   = [int]($Suite | Measure-Object Failed -Sum).Sum
        Skipped  = [int]($Suite | Where-Object { $_.PSObject.Properties['Skipped'] } | Measure-Object Skipped -Sum).Sum
        # What failed, by name, where a suite says it.
        Failures = @($Suite | Where-Object { $_.PSObject.Properties['Failures'] } | ForEach-Object { $_.Failures } | Where-Object { $_ })
    }
}

# 'N passed, N failed[, N skipped]': the line CI reads.
function Format-TestCount {
    param($Count)
    "$($Count.Passed) passed, $($Count.Failed) failed" + $(if ($Count.Skipped) { ", $($Count.Skipped) skipped" } else { '' })
}

# With no filter: xunit, Pester and the examples on this PowerShell, then the compatibility leg on the second one
# (CompatTasks.ps1). Each prints a labelled line; the last line sums them all.
function Invoke-TestTask {
    param([string] $Configuration, [string] $Filter = '*')
    $suites = @()
    if ($Filter -eq '*') {
        $suites += Invoke-XunitSuite -Configuration $Configuration
    }
    $suites += Invoke-PesterSuite -Filter $Filter
    if ($Filter -eq '*') {
        $suites += Invoke-Example
        Write-Host ''
        Write-Host "PowerShell $($PSVersionTable.PSVersion) (xunit, Pester, examples): $(Format-TestCount (Measure-TestCount $suites))"
        $suites += Invoke-CompatLeg
    }
    $total = Measure-TestCount $suites
    Write-Host ''
    if ($total.Failures) {
        # Repeated here because a CI log is often read from its end.
        Write-Host 'Failed:'
        $total.Failures | ForEach-Object { Write-Host "  $_" }
    }
    Write-Host (Format-TestCount $total)
    if ($total.Failed -gt 0 -or $total.Passed -eq 0) { 1 } else { 0 }
}

# Runs every script in examples/ in its own pwsh (this one's, or another's for the compatibility leg); an example
# passes when it exits 0. Returns the counts.
function Invoke-Example {
    param([string] $PwshPath = $script:PwshPath)
    $passed = 0
    $failed = 0
    $failures = [Collections.Generic.List[string]]::new()
    $savedModulePath = $env:PSModulePath
    $env:PSModulePath = (Split-Path $OutputModule -Parent) + [IO.Path]::PathSeparator + $env:PSModulePath
    # The examples write temporary files as real scripts do (a restart log, a machine lock's holder file): they
    # get a temporary folder of their own, removed afterwards, so a demo run leaves nothing in the shared one.
    $demoTemp = Join-Path ([IO.Path]::GetTempPath()) "psthreading-demo-$([guid]::NewGuid().ToString('n'))"
    $null = New-Item -ItemType Directory -Path $demoTemp
    if (-not $IsWindows) { & chmod 700 $demoTemp }
    $saved = @{ TMPDIR = $env:TMPDIR; TEMP = $env:TEMP; TMP = $env:TMP }
    $env:TMPDIR = $env:TEMP = $env:TMP = $demoTemp
    try {
        foreach ($example in Get-ChildItem (Join-Path $RepoRoot 'examples') -Filter '*.ps1' | Sort-Object Name) {
            Write-Host ''
            Write-Host "==> examples/$($example.Name)" -ForegroundColor Cyan
            $process = Start-Process -FilePath $PwshPath -NoNewWindow -PassThru -ArgumentList @(
                '-NoProfile', '-NonInteractive', '-File', $example.FullName)
            if (-not $process.WaitForExit($ExampleTimeoutSeconds * 1000)) {
                $process.Kill($true)
                Write-Host "    did not end in $ExampleTimeoutSeconds s: stopped" -ForegroundColor Red
                $failures.Add("examples/$($example.Name): did not end in $ExampleTimeoutSeconds s")
                $failed++
            }
            elseif ($process.ExitCode -ne 0) {
                Write-Host "    exited with $($process.ExitCode)" -ForegroundColor Red
                $failures.Add("examples/$($example.Name): exited with $($process.ExitCode)")
                $failed++
            }
            else {
                $passed++
            }
        }
    }
    finally {
        $env:TMPDIR = $saved.TMPDIR; $env:TEMP = $saved.TEMP; $env:TMP = $saved.TMP
        $env:PSModulePath = $savedModulePath
        Remove-Item -LiteralPath $demoTemp -Recurse -Force -ErrorAction Ignore
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Failures = $failures.ToArray() }
}

function Invoke-DemoTask {
    $result = Invoke-Example
    Write-Host ''
    Write-Host "$($result.Failed) example(s) failed"
    [int]($result.Failed -gt 0)
}

function Invoke-BenchTask {
    $env:PSModulePath = (Split-Path $OutputModule -Parent) + [IO.Path]::PathSeparator + $env:PSModulePath
    $failed = 0
    foreach ($bench in Get-ChildItem (Join-Path $RepoRoot 'bench') -Filter '*.ps1' | Sort-Object Name) {
        Write-Host "==> bench/$($bench.Name)"
        & $PwshPath -NoProfile -NonInteractive -File $bench.FullName | Out-Host
        if ($LASTEXITCODE -ne 0) { $failed++ }
    }
    [int]($failed -gt 0)
}

function Invoke-StressTask {
    param([int] $Repeat, [string] $Filter = '*')
    $files = Get-ChildItem (Join-Path $RepoRoot 'tests') -Filter "$Filter.Tests.ps1" |
        Where-Object { (Get-Content $_.FullName -TotalCount 5) -match '#\s*Concurrency' } | ForEach-Object FullName
    if (-not $files) {
        # Given no path, Pester would run the whole suite: say what matched instead.
        throw "No concurrency test file matches '$Filter.Tests.ps1' in tests/: a file is stressed when one of its first 5 lines says '# Concurrency'."
    }
    $green = 0
    for ($i = 1; $i -le $Repeat; $i++) {
        $result = Invoke-PesterSuite -Path $files
        if ($result.Failed -eq 0 -and $result.Passed -gt 0) { $green++ }
        Write-Host "    run $i of ${Repeat}: $($result.Passed) passed, $($result.Failed) failed"
    }
    Write-Host "$green of $Repeat stress runs passed"
    [int]($green -ne $Repeat)
}

# Packs output/PSThreading as a PowerShell-gallery nupkg with PSResourceGet, which ships inside pwsh 7.4+:
# the same packing Publish-PSResource does, without needing a repository. Returns the package's path.
function Invoke-PackageTask {
    $manifest = Import-PowerShellDataFile (Join-Path $OutputModule 'PSThreading.psd1')
    $version = $manifest.ModuleVersion
    $assemblyVersion = ([xml](Get-Content (Join-Path $RepoRoot 'Directory.Build.props') -Raw)).Project.PropertyGroup.Version |
        Where-Object { $_ } | Select-Object -First 1
    if ($assemblyVersion -and $assemblyVersion -ne $version) {
        throw "The manifest says version $version but Directory.Build.props says ${assemblyVersion}: make them agree before packing."
    }

    Write-Host "==> Package PSThreading $version"
    $destination = Split-Path $OutputModule -Parent
    $package = Join-Path $destination "PSThreading.$version.nupkg"
    Remove-Item $package -ErrorAction Ignore
    Import-Module Microsoft.PowerShell.PSResourceGet
    Compress-PSResource -Path $OutputModule -DestinationPath $destination
    if (-not (Test-Path $package)) {
        throw "Compress-PSResource finished but $package is missing."
    }
    Write-Host "    $package"
    $package
}

. (Join-Path $PSScriptRoot 'CompatTasks.ps1')

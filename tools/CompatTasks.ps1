# The compatibility leg: the same built module tested on a second PowerShell, pinned in
# tools/CompatPowerShell/.config/dotnet-tools.json. The module reads private members of PowerShell and
# PSReadLine (src/PSThreading/Engine/): a PowerShell update that renames one must fail a named test, not
# change behaviour silently. Dot-sourced by BuildTasks.ps1; uses its $RepoRoot and its Pester runner.

$script:CompatManifest = Join-Path $RepoRoot 'tools/CompatPowerShell/.config/dotnet-tools.json'
# The canaries: one test per private-member capability. Run when the file exists (it lands with issue 22).
$script:CompatCanaryTests = @('Engine.Capabilities')
# Fast and broad (about two minutes on a loaded 2-core machine), each file through a capability that rests on
# engine internals: workers and joins, functions and modules in workers (session-state tables), records and their
# preferences, error ids across hops, class instances (runspace affinity), language mode, the pool, locks, and
# output at an idle PSReadLine prompt in a real terminal. (Reliability.Exit and Console.IdlePrompt would add
# about 6 minutes; the examples exercise exit with daemon and non-daemon threads.)
$script:CompatSmokeTests = @(
    'Start-WorkerThread'
    'Start-WorkerThread.Function'
    'Wait-WorkerThread.Streams'
    'Records.Hops'
    'Reliability.ScriptBlockValues'
    'Isolation'
    'Invoke-ThreadPool'
    'New-ThreadLock'
    'Console.Tmux'
    'Console.PromptJoin'
)
# The whole leg's Pester run is bounded, as the main one is, but tighter: it is a smoke set.
$script:CompatPesterTimeoutSeconds = 600

# Restores the pinned PowerShell and asks it where it lives: its $PSHOME holds a native 'pwsh' launcher.
function Get-CompatPowerShell {
    $version = (Get-Content $CompatManifest -Raw | ConvertFrom-Json).tools.powershell.version
    Invoke-Native dotnet @('tool', 'restore', '--tool-manifest', $CompatManifest)
    # 'dotnet tool run' finds the manifest from the working folder: run it from the second manifest's folder.
    Push-Location (Split-Path (Split-Path $CompatManifest -Parent) -Parent)
    try {
        $folder = & dotnet tool run pwsh -NoProfile -NonInteractive -Command '$PSHOME'
    }
    finally {
        Pop-Location
    }
    $pwsh = Join-Path "$folder" 'pwsh'
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $pwsh)) {
        throw "PowerShell $version from $CompatManifest did not start (exit code $LASTEXITCODE, said '$folder')."
    }
    # The launcher the tests use, in the environment they get: its version, and in-box modules from its own folder.
    $reported, $utility = & $pwsh -NoProfile -NonInteractive -Command (
        '$PSVersionTable.PSVersion.ToString(); (Import-Module Microsoft.PowerShell.Utility -PassThru).ModuleBase')
    if ($reported -ne $version) {
        throw "$pwsh says it is PowerShell '$reported', not $version."
    }
    if (-not "$utility".StartsWith($folder)) {
        throw "PowerShell $version loaded its in-box modules from $utility, not from its own $folder."
    }
    [pscustomobject]@{ Version = $version; PwshPath = $pwsh }
}

# The test files the leg runs: the canaries when present, and every smoke file (a listed file that is missing
# fails the leg, so a rename cannot shrink the smoke set unnoticed).
function Get-CompatTestFile {
    foreach ($name in $CompatCanaryTests) {
        $file = Join-Path $RepoRoot "tests/$name.Tests.ps1"
        if (Test-Path $file) { $file } else { Write-Host "    canary file tests/$name.Tests.ps1 not found: not run" -ForegroundColor Yellow }
    }
    foreach ($name in $CompatSmokeTests) {
        Join-Path $RepoRoot "tests/$name.Tests.ps1"
    }
}

# Runs the canaries, the examples and the smoke set on the second PowerShell; returns the summed counts and
# prints them on one labelled line. A PowerShell that cannot be restored or started counts as one failure.
function Invoke-CompatLeg {
    $started = [Diagnostics.Stopwatch]::StartNew()
    # A child pwsh puts its own $PSHOME/Modules first but keeps the inherited entries, this $PSHOME/Modules among
    # them: a module the second PowerShell lacks would load from this one's folder. It gets a path without them.
    $savedModulePath = $env:PSModulePath
    $env:PSModulePath = @($env:PSModulePath -split [IO.Path]::PathSeparator |
        Where-Object { $_ -and -not $_.StartsWith($PSHOME) }) -join [IO.Path]::PathSeparator
    try {
        Invoke-CompatSuite -Started $started
    }
    finally {
        $env:PSModulePath = $savedModulePath
    }
}

function Invoke-CompatSuite {
    param([Diagnostics.Stopwatch] $Started)
    try {
        $compat = Get-CompatPowerShell
    }
    catch {
        Write-Host "    the second PowerShell is not available: $_" -ForegroundColor Red
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    Write-Host "==> Compatibility leg on PowerShell $($compat.Version) ($($compat.PwshPath))"
    $files = @(Get-CompatTestFile)
    $missing = @($files | Where-Object { -not (Test-Path $_) })
    foreach ($file in $missing) {
        Write-Host "    smoke file $file is missing: counted as one failure" -ForegroundColor Red
    }
    $suites = @(
        [pscustomobject]@{ Passed = 0; Failed = $missing.Count; Skipped = 0 }
        Invoke-PesterSuite -Path @($files | Where-Object { Test-Path $_ }) -PwshPath $compat.PwshPath `
            -SummaryName 'pester-compat-summary.json' -TimeoutSeconds $CompatPesterTimeoutSeconds
        Invoke-Example -PwshPath $compat.PwshPath
    )
    $total = Measure-TestCount $suites
    Write-Host ''
    Write-Host ("PowerShell $($compat.Version) (canaries, examples, Pester smoke set): $(Format-TestCount $total)" +
        " in $([int]$Started.Elapsed.TotalSeconds) s")
    $total
}

function Invoke-CompatTask {
    $total = Invoke-CompatLeg
    if ($total.Failed -gt 0 -or $total.Passed -eq 0) { 1 } else { 0 }
}

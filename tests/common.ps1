# Dot-sourced by every Pester file: imports the built module once per test process.
$script:RepoRoot = Split-Path $PSScriptRoot -Parent
$script:ModuleManifest = Join-Path $RepoRoot 'output/PSThreading/PSThreading.psd1'
if (-not (Get-Module PSThreading)) {
    if (-not (Test-Path $ModuleManifest)) {
        throw "The module is not built: run 'dotnet pwsh ./build.ps1 -Task Build' first ($ModuleManifest is missing)."
    }
    Import-Module $ModuleManifest -Force
}
# The launcher for child pwsh processes: under the dotnet tool the process itself is dotnet.
$script:PwshPath = Join-Path $PSHOME 'pwsh'

# Runs a script in a child pwsh with the module imported; returns its output lines and exit code.
# Text for a child pwsh script (before its own lines): $workerCounter and $poolCounter read the module's own live
# OS threads (Start-WorkerThread workers, pool threads); the process's thread count also holds .NET's pool threads.
$ChildThreadCounters = @'
$flags = [Reflection.BindingFlags]'NonPublic, Static'
$workerCounter = [PSThreading.Core.Threads.WorkerThread].GetProperty('LiveOsThreadCount', $flags)
$poolCounter = (Get-Module PSThreading).ImplementingAssembly.GetType('PSThreading.Pool.PoolThreads', $true).GetProperty('LiveCount', $flags)
'@ + "`n"

function Invoke-ChildPwsh {
    param([string] $Script, [int] $TimeoutSeconds = 60)
    $file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-child-$([guid]::NewGuid().ToString('n')).ps1"
    "Import-Module '$ModuleManifest'`n$Script" | Set-Content -Path $file
    $stdout = "$file.out"
    try {
        $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file `
            -RedirectStandardOutput $stdout -PassThru -NoNewWindow
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "The child pwsh did not exit within $TimeoutSeconds s."
        }
        # Start-Process copies redirected output to the file asynchronously: the timed wait can return first.
        $process.WaitForExit()
        [pscustomobject]@{ Output = @(Get-Content $stdout); ExitCode = $process.ExitCode }
    }
    finally {
        Remove-Item $file, $stdout -ErrorAction Ignore
    }
}

# Runs a script in a child pwsh whose console input is the given lines (so Read-Host reads them); returns its
# output lines and exit code.
function Invoke-ChildPwshWithInput {
    param([string] $Script, [string[]] $InputLine, [int] $TimeoutSeconds = 60)
    $file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-input-$([guid]::NewGuid().ToString('n')).ps1"
    "Import-Module '$ModuleManifest'`n$Script" | Set-Content -Path $file
    $InputLine | Set-Content -Path "$file.in"
    try {
        $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-File', $file `
            -RedirectStandardInput "$file.in" -RedirectStandardOutput "$file.out" -PassThru -NoNewWindow
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "The child pwsh did not exit within $TimeoutSeconds s."
        }
        # Start-Process copies redirected output to the file asynchronously: the timed wait can return first.
        $process.WaitForExit()
        [pscustomobject]@{ Output = @(Get-Content "$file.out"); ExitCode = $process.ExitCode }
    }
    finally {
        Remove-Item $file, "$file.in", "$file.out" -ErrorAction Ignore
    }
}

# Waits (bounded) until a condition holds: for a worker to reach a wait, say.
function Wait-Until([scriptblock] $Condition, [double] $Seconds = 10) {
    $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
    while (-not (& $Condition)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Timed out waiting until $Condition" }
        Start-Sleep -Milliseconds 20
    }
}

# For AfterEach: stops the workers a test left running, so the next test starts clean.
function Stop-LeftoverWorker {
    Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
}

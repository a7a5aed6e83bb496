# Start-and-join cost: Start-WorkerThread | Wait-WorkerThread beside Start-ThreadJob | Wait-Job | Receive-Job,
# measured in one process and one run. Prints per-cycle medians over several rounds and their ratio.
param(
    [int] $Cycles = 100,
    [int] $Rounds = 5,
    # Then the same rounds again once .NET has compiled the hot paths: PowerShell's code is compiled again,
    # optimised, in a process's first seconds of use (about 800 methods in 2 s during a start-and-join loop here).
    [double] $WarmSeconds = 10
)
Import-Module PSThreading
Import-Module ThreadJob -ErrorAction SilentlyContinue
$ErrorActionPreference = 'Stop'

function Measure-PerCycle {
    param([scriptblock] $Cycle, [int] $Count)
    $clock = [Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $Count; $i++) { $null = & $Cycle }
    $clock.Elapsed.TotalMilliseconds / $Count
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][math]::Floor($sorted.Count / 2)]
}

# The first cycle of each pays one-time costs (opening the first runspace, loading ThreadJob): excluded.
$null = Start-WorkerThread { 1 } | Wait-WorkerThread
$null = Start-ThreadJob { 1 } | Wait-Job | Receive-Job -Wait -AutoRemoveJob

# Rounds of both, alternating; returns the two per-cycle medians.
function Measure-Rounds {
    $worker = @(); $job = @()
    for ($round = 1; $round -le $Rounds; $round++) {
        $worker += Measure-PerCycle { Start-WorkerThread { 1 } | Wait-WorkerThread } $Cycles
        # Start-ThreadJob costs ~30-55 ms a job: a fifth of the cycles keeps the run short and the per-cycle figure fair.
        $job += Measure-PerCycle { Start-ThreadJob { 1 } | Wait-Job | Receive-Job -Wait -AutoRemoveJob } ([math]::Max(5, $Cycles / 5))
    }
    [pscustomobject]@{ Worker = Get-Median $worker; Job = Get-Median $job }
}

$cold = Measure-Rounds
# The warm-up gives both the same time: the cycles of each, alternating, for half of it.
$clock = [Diagnostics.Stopwatch]::StartNew()
while ($clock.Elapsed.TotalSeconds -lt $WarmSeconds / 2) { $null = Start-WorkerThread { 1 } | Wait-WorkerThread }
$clock.Restart()
while ($clock.Elapsed.TotalSeconds -lt $WarmSeconds / 2) { $null = Start-ThreadJob { 1 } | Wait-Job | Receive-Job -Wait -AutoRemoveJob }
$warm = Measure-Rounds

$rows = foreach ($phase in @(@{ Name = 'cold: a new process'; Figures = $cold }, @{ Name = "warm: after $WarmSeconds s of both"; Figures = $warm })) {
    $figures = $phase.Figures
    [pscustomobject]@{ Workload = "start + join, { 1 } ($Cycles cycles x $Rounds rounds), $($phase.Name)"; Command = 'Start-WorkerThread | Wait-WorkerThread'; 'ms/cycle' = [math]::Round($figures.Worker, 2); 'vs PSThreading' = '1.0x' }
    [pscustomobject]@{ Workload = ''; Command = 'Start-ThreadJob | Wait-Job | Receive-Job'; 'ms/cycle' = [math]::Round($figures.Job, 2); 'vs PSThreading' = '{0:0.0}x slower' -f ($figures.Job / $figures.Worker) }
}
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Write-Host ("Machine: {0} cores, {1}, PowerShell {2}" -f [Environment]::ProcessorCount, [Runtime.InteropServices.RuntimeInformation]::OSDescription, $PSVersionTable.PSVersion)
foreach ($phase in @(@{ Name = 'cold'; Figures = $cold }, @{ Name = 'warm'; Figures = $warm })) {
    $figures = $phase.Figures
    Write-Host ("Goal (issue 26), {0}: at most 1 ms a cycle ({1}) and at least 25x faster than Start-ThreadJob ({2})." -f $phase.Name,
        ($(if ($figures.Worker -le 1) { 'met' } else { 'missed' })), ($(if ($figures.Job / $figures.Worker -ge 25) { 'met' } else { 'missed' })))
}

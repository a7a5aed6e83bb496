# Start-and-join cost: Start-WorkerThread | Wait-WorkerThread beside Start-ThreadJob | Wait-Job | Receive-Job,
# measured in one process and one run. Prints per-cycle medians over several rounds and their ratio.
param(
    [int] $Cycles = 100,
    [int] $Rounds = 5
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

$worker = @(); $job = @()
for ($round = 1; $round -le $Rounds; $round++) {
    $worker += Measure-PerCycle { Start-WorkerThread { 1 } | Wait-WorkerThread } $Cycles
    # Start-ThreadJob costs ~30 ms a job: a fifth of the cycles keeps the run short and the per-cycle figure fair.
    $job += Measure-PerCycle { Start-ThreadJob { 1 } | Wait-Job | Receive-Job -Wait -AutoRemoveJob } ([math]::Max(5, $Cycles / 5))
}

$workerMedian = Get-Median $worker
$jobMedian = Get-Median $job
$rows = @(
    [pscustomobject]@{ Workload = "start + join, { 1 } ($Cycles cycles x $Rounds rounds)"; Command = 'Start-WorkerThread | Wait-WorkerThread'; 'ms/cycle' = [math]::Round($workerMedian, 2); 'vs PSThreading' = '1.0x' }
    [pscustomobject]@{ Workload = ''; Command = 'Start-ThreadJob | Wait-Job | Receive-Job'; 'ms/cycle' = [math]::Round($jobMedian, 2); 'vs PSThreading' = '{0:0.0}x slower' -f ($jobMedian / $workerMedian) }
)
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Write-Host ("Machine: {0} cores, {1}, PowerShell {2}" -f [Environment]::ProcessorCount, [Runtime.InteropServices.RuntimeInformation]::OSDescription, $PSVersionTable.PSVersion)
Write-Host ("Goal (issue 26): at most 1 ms a cycle ({0}) and at least 25x faster than Start-ThreadJob ({1})." -f
    ($(if ($workerMedian -le 1) { 'met' } else { 'missed' })), ($(if ($jobMedian / $workerMedian -ge 25) { 'met' } else { 'missed' })))

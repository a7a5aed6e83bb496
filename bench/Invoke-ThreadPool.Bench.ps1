#Requires -Version 7.2
<#
.SYNOPSIS
    Times Invoke-ThreadPool beside ForEach-Object -Parallel, Start-ThreadJob and the plain sequential loop,
    in one process and one run, and prints a table of medians and ratios.
.DESCRIPTION
    Run by `./build.ps1 -Task Bench` (which puts output/ first on PSModulePath). Runs of the tools being
    compared are interleaved, so a burst of load on a shared machine hits them alike. Start-ThreadJob is
    left out where the item count would make one job per item take minutes.
#>
[CmdletBinding()]
param(
    # Runs per measurement for the fast tools; the slow ones run fewer times.
    [int] $Runs = 7
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module PSThreading
$processors = [Environment]::ProcessorCount

function Get-Median {
    param([double[]] $Values)
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] }
    else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

# Times each named action $Runs times (or fewer for those listed in $SlowRuns), interleaved; returns medians in ms.
# -AtScriptLevel dot-sources each action, as Measure-Command at a prompt or a script's top level runs it:
# PowerShell then keeps variables in dictionaries, and the plain ForEach-Object loop is several times slower
# than the same loop inside a function.
function Measure-Interleaved {
    param([System.Collections.Specialized.OrderedDictionary] $Actions, [int] $Runs, [hashtable] $SlowRuns = @{}, [switch] $AtScriptLevel)
    $times = @{}
    foreach ($name in $Actions.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
    for ($run = 0; $run -lt $Runs; $run++) {
        foreach ($name in $Actions.Keys) {
            if ($SlowRuns.ContainsKey($name) -and $run -ge $SlowRuns[$name]) { continue }
            [GC]::Collect()
            $action = $Actions[$name]
            $clock = [Diagnostics.Stopwatch]::StartNew()
            if ($AtScriptLevel) { $null = . $action } else { $null = & $action }
            $times[$name].Add($clock.Elapsed.TotalMilliseconds)
        }
    }
    $medians = @{}
    foreach ($name in $Actions.Keys) { $medians[$name] = Get-Median $times[$name] }
    $medians
}

function Format-Ms {
    param($Value)
    if ($null -eq $Value) { '-' } else { '{0:n1}' -f $Value }
}

function Format-Ratio {
    param($Numerator, $Denominator)
    if ($null -eq $Numerator -or $null -eq $Denominator -or $Denominator -eq 0) { '-' } else { '{0:n2}' -f ($Numerator / $Denominator) }
}

$rows = [Collections.Generic.List[object]]::new()
function Add-Row {
    param([string] $Workload, $Sequential, $Pool, $Parallel, $ThreadJob, [string] $Goal, [bool] $Met)
    $rows.Add([pscustomobject]@{
            Workload                 = $Workload
            'Sequential ms'          = Format-Ms $Sequential
            'Invoke-ThreadPool ms'   = Format-Ms $Pool
            'ForEach -Parallel ms'   = Format-Ms $Parallel
            'Start-ThreadJob ms'     = Format-Ms $ThreadJob
            'pool/seq'               = Format-Ratio $Pool $Sequential
            'FE-Parallel/pool'       = Format-Ratio $Parallel $Pool
            'ThreadJob/pool'         = Format-Ratio $ThreadJob $Pool
            Goal                     = $Goal
            Met                      = if ($Met) { 'yes' } else { 'NO' }
        })
}

Write-Host "Invoke-ThreadPool benchmark: pwsh $($PSVersionTable.PSVersion), $processors processors, $([Runtime.InteropServices.RuntimeInformation]::OSDescription)"

# Warm-up in this process: the pool's runspaces, the ThreadJob module, ForEach-Object -Parallel's runspace pool.
$null = 1..20 | Invoke-ThreadPool { Start-Sleep -Milliseconds 20 } -ThrottleLimit 20
$null = Start-ThreadJob { 1 } | Receive-Job -Wait -AutoRemoveJob
$null = 1..2 | ForEach-Object -Parallel { $_ }

# tiny: 2,000 items of $_ * 2, timed at script level (how the issue's figures were taken) and inside a function.
$items = 1..2000
$tinyActions = [ordered]@{
    Sequential = { $items | ForEach-Object { $_ * 2 } }
    Pool       = { $items | Invoke-ThreadPool { $_ * 2 } }
    Parallel   = { $items | ForEach-Object -Parallel { $_ * 2 } -ThrottleLimit $processors }
}
$tiny = Measure-Interleaved -Runs ($Runs + 4) -SlowRuns @{ Parallel = 3 } -Actions $tinyActions -AtScriptLevel
Add-Row 'tiny: 2,000 x $_*2 (script level)' $tiny.Sequential $tiny.Pool $tiny.Parallel $null 'pool/seq <= 1.0; FE-Parallel/pool >= 100' `
    (($tiny.Pool -le $tiny.Sequential) -and ($tiny.Parallel / $tiny.Pool -ge 100))
$tinyActions.Remove('Parallel')
$tinyInFunction = Measure-Interleaved -Runs ($Runs + 4) -Actions $tinyActions
Add-Row 'tiny: 2,000 x $_*2 (in a function)' $tinyInFunction.Sequential $tinyInFunction.Pool $tiny.Parallel $null 'pool/seq <= 1.0' `
    ($tinyInFunction.Pool -le $tinyInFunction.Sequential)

# cpu: 4 items, each a 2,000,000-step loop, 2 at once.
$cpuBlock = { $sum = 0; for ($i = 0; $i -lt 2000000; $i++) { $sum += $i }; $sum }
$cpu = Measure-Interleaved -Runs 3 -Actions ([ordered]@{
        Sequential = { foreach ($n in 1..4) { & $cpuBlock } }
        Pool       = { 1..4 | Invoke-ThreadPool $cpuBlock -ThrottleLimit 2 }
        Parallel   = { 1..4 | ForEach-Object -Parallel $cpuBlock -ThrottleLimit 2 }
        ThreadJob  = { 1..4 | ForEach-Object { Start-ThreadJob $cpuBlock -ThrottleLimit 2 } | Receive-Job -Wait -AutoRemoveJob }
        # What two cores give right now: ForEach-Object -Parallel with the loop in a local scope (facts.md).
        Ceiling    = { 1..4 | ForEach-Object -Parallel { & { $sum = 0; for ($i = 0; $i -lt 2000000; $i++) { $sum += $i }; $sum } } -ThrottleLimit 2 }
    })
Add-Row 'cpu: 4 x 2M-step loop, throttle 2' $cpu.Sequential $cpu.Pool $cpu.Parallel $cpu.ThreadJob 'seq/pool >= 1.7' `
    ($cpu.Sequential / $cpu.Pool -ge 1.7)
Write-Host ("CPU: the two-core ceiling measured in the same run (ForEach-Object -Parallel over '& {{ loop }}'): {0:n1} ms; sequential/ceiling {1:n2}" -f
    $cpu.Ceiling, ($cpu.Sequential / $cpu.Ceiling))

# sleep: 100 items of 50 ms, 20 at once (ideal 250 ms). The sequential loop is 100 x 50 ms: timed once.
$sleep = Measure-Interleaved -Runs 5 -SlowRuns @{ Sequential = 1; ThreadJob = 3; Parallel = 3 } -Actions ([ordered]@{
        Sequential = { foreach ($n in 1..100) { Start-Sleep -Milliseconds 50 } }
        Pool       = { 1..100 | Invoke-ThreadPool { Start-Sleep -Milliseconds 50 } -ThrottleLimit 20 }
        Parallel   = { 1..100 | ForEach-Object -Parallel { Start-Sleep -Milliseconds 50 } -ThrottleLimit 20 }
        ThreadJob  = { 1..100 | ForEach-Object { Start-ThreadJob { Start-Sleep -Milliseconds 50 } -ThrottleLimit 20 } | Receive-Job -Wait -AutoRemoveJob }
    })
Add-Row 'sleep: 100 x 50 ms, throttle 20 (ideal 250)' $sleep.Sequential $sleep.Pool $sleep.Parallel $sleep.ThreadJob 'pool <= 1.15 x 250 ms' `
    ($sleep.Pool -le 250 * 1.15)

# repeated: 200 calls of 10 items each; warm workers are reused, so late calls cost what early ones do.
$callTimes = [Collections.Generic.List[double]]::new()
$clock = [Diagnostics.Stopwatch]::StartNew()
foreach ($call in 1..200) {
    $one = [Diagnostics.Stopwatch]::StartNew()
    $null = 1..10 | Invoke-ThreadPool { $_ * 2 }
    $callTimes.Add($one.Elapsed.TotalMilliseconds)
}
$poolRepeated = $clock.Elapsed.TotalMilliseconds
$clock.Restart()
foreach ($call in 1..200) { $null = 1..10 | ForEach-Object { $_ * 2 } }
$seqRepeated = $clock.Elapsed.TotalMilliseconds
$clock.Restart()
foreach ($call in 1..200) { $null = 1..10 | ForEach-Object -Parallel { $_ * 2 } -ThrottleLimit $processors }
$parallelRepeated = $clock.Elapsed.TotalMilliseconds
$early = Get-Median $callTimes.GetRange(5, 10)
$late = Get-Median $callTimes.GetRange(190, 10)
Add-Row 'repeated: 200 calls x 10 items (total)' $seqRepeated $poolRepeated $parallelRepeated $null 'calls 191-200 no slower than 6-15' `
    ($late -le $early * 1.25)
Write-Host ("Repeated calls: median of calls 6-15 {0:n2} ms, of calls 191-200 {1:n2} ms" -f $early, $late)

# memory: 100,000 tiny items stream through; the managed heap is sampled as results arrive.
function Measure-Stream {
    param([scriptblock] $Pipeline)
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    $baseline = [GC]::GetTotalMemory($true)
    $samples = [Collections.Generic.List[double]]::new()
    $count = 0
    $clock = [Diagnostics.Stopwatch]::StartNew()
    & $Pipeline | ForEach-Object {
        $count++
        if ($count % 20000 -eq 0) { $samples.Add(([GC]::GetTotalMemory($true) - $baseline) / 1MB) }
    }
    [pscustomobject]@{ Ms = $clock.Elapsed.TotalMilliseconds; Count = $count; SamplesMB = $samples }
}
$streamPool = Measure-Stream { 1..100000 | Invoke-ThreadPool { $_ } }
$streamOrdered = Measure-Stream { 1..100000 | Invoke-ThreadPool { $_ } -Ordered }
$streamSeq = Measure-Stream { 1..100000 | ForEach-Object { $_ } }
$flat = ($streamPool.SamplesMB | Measure-Object -Maximum).Maximum -lt 50 -and ($streamOrdered.SamplesMB | Measure-Object -Maximum).Maximum -lt 50
Add-Row 'memory: 100,000 x $_ streamed' $streamSeq.Ms $streamPool.Ms $null $null 'heap growth flat (< 50 MB at every sample)' `
    ($flat -and $streamPool.Count -eq 100000 -and $streamOrdered.Count -eq 100000)
Write-Host ("Heap growth over the run, MB at each 20,000 items: unordered {0}; -Ordered {1} ({2:n1} ms); sequential {3}" -f
    (($streamPool.SamplesMB | ForEach-Object { '{0:n1}' -f $_ }) -join ' '),
    (($streamOrdered.SamplesMB | ForEach-Object { '{0:n1}' -f $_ }) -join ' '),
    $streamOrdered.Ms,
    (($streamSeq.SamplesMB | ForEach-Object { '{0:n1}' -f $_ }) -join ' '))

# tiny again, once the process has been idle: .NET's tiered JIT recompiles the engine's hot paths only after
# a quiet moment, and the plain loop gains more from that than the pool's hand-offs between threads do.
Start-Sleep -Seconds 2
$tinyWarm = Measure-Interleaved -Runs ($Runs + 4) -Actions $tinyActions -AtScriptLevel
Add-Row 'tiny: 2,000 x $_*2 (script level, JIT warm)' $tinyWarm.Sequential $tinyWarm.Pool $null $null 'pool/seq <= 1.0' `
    ($tinyWarm.Pool -le $tinyWarm.Sequential)

# idle: 32 workers wait behind a slow upstream command. Items of 500 ms arrive 5 ms apart (so that all 32
# workers start), then the upstream is quiet for 5 s. Process CPU is sampled inside those 5 s, so starting the
# workers is not counted; the baseline is the same quiet 5 s in front of a plain ForEach-Object. Each
# sample waits first for the process to settle: .NET's tiered JIT recompiles hot code in the background
# for a few seconds after a burst of new work.
function Wait-CpuSettled {
    $process = [Diagnostics.Process]::GetCurrentProcess()
    for ($i = 0; $i -lt 20; $i++) {
        $process.Refresh()
        $before = $process.TotalProcessorTime
        Start-Sleep -Milliseconds 500
        $process.Refresh()
        if (($process.TotalProcessorTime - $before).TotalMilliseconds -lt 25) { return }
    }
}
$idleUpstream = {
    $process = [Diagnostics.Process]::GetCurrentProcess()
    foreach ($n in 1..32) { $n; Start-Sleep -Milliseconds 5 }
    Start-Sleep -Milliseconds 800
    Wait-CpuSettled
    $process.Refresh()
    $before = $process.TotalProcessorTime
    $workers = @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker').Count
    Start-Sleep -Seconds 5
    $process.Refresh()
    $script:idleSample = [pscustomobject]@{ CpuMs = ($process.TotalProcessorTime - $before).TotalMilliseconds; Workers = $workers }
}
$null = 1..32 | Invoke-ThreadPool { Start-Sleep -Milliseconds 100 } -ThrottleLimit 32
$idleSeqRuns = [Collections.Generic.List[double]]::new()
$idlePoolRuns = [Collections.Generic.List[double]]::new()
foreach ($run in 1..3) {
    $null = & $idleUpstream | ForEach-Object { $_ }
    $idleSeqRuns.Add($script:idleSample.CpuMs)
    $null = & $idleUpstream | Invoke-ThreadPool { Start-Sleep -Milliseconds 500; $_ } -ThrottleLimit 32
    $idlePoolRuns.Add($script:idleSample.CpuMs)
    $idleWorkers = $script:idleSample.Workers
}
$idleSeq = Get-Median $idleSeqRuns
$idlePool = Get-Median $idlePoolRuns
Add-Row 'idle: 32 workers over 5 s, process CPU ms' $idleSeq $idlePool $null $null 'pool - seq < 200 ms CPU' `
    (($idlePool - $idleSeq) -lt 200 -and $idleWorkers -ge 30)
Write-Host ("Idle: {0} pool workers alive; {1:n0} ms CPU in the quiet 5 s (runs: {2}) against {3:n0} ms in front of ForEach-Object (runs: {4})" -f
    $idleWorkers, $idlePool, ($idlePoolRuns -join ', '), $idleSeq, ($idleSeqRuns -join ', '))

# wake: 100 items, each arriving 20 ms after the last at an idle pool; the item's first statement reads the
# clock, so the figure is the time from the upstream's Write to the item starting on a worker.
$ticksPerMs = [Diagnostics.Stopwatch]::Frequency / 1000
$wakeMs = @(& { foreach ($n in 1..100) { [Diagnostics.Stopwatch]::GetTimestamp(); Start-Sleep -Milliseconds 20 } } |
        Invoke-ThreadPool { ([Diagnostics.Stopwatch]::GetTimestamp() - $_) / $using:ticksPerMs } -ThrottleLimit 4)
$wakeMedian = Get-Median $wakeMs
Add-Row 'wake: item at an idle pool, start ms (median of 100)' $null $wakeMedian $null $null 'median <= 1 ms' ($wakeMedian -le 1)
Write-Host ("Wake: an item arriving at an idle pool starts after {0:n0} us (median of {1}), 90th percentile {2:n0} us" -f
    ($wakeMedian * 1000), $wakeMs.Count, ((@($wakeMs | Sort-Object))[[int]($wakeMs.Count * 0.9) - 1] * 1000))

# asjob: a background call of one item, from the call to its output in the caller's hands (our join writes at
# the thread's end, Receive-Job -Wait as items come: with one item both are its first output), and the time the
# -AsJob call itself takes to return.
$asJob = Measure-Interleaved -Runs 15 -Actions ([ordered]@{
        Pool     = { 1 | Invoke-ThreadPool { $_ } -AsJob | Wait-WorkerThread }
        # Once in ten runs, PowerShell's own -AutoRemoveJob failed to remove a finished ForEach-Object -Parallel
        # job ("it does not exist or is a child job"): not what is measured, and no reason to end the bench.
        Parallel = { 1 | ForEach-Object -Parallel { $_ } -AsJob | Receive-Job -Wait -AutoRemoveJob -ErrorAction SilentlyContinue }
    })
$returnPool = [Collections.Generic.List[double]]::new()
$returnParallel = [Collections.Generic.List[double]]::new()
for ($run = 0; $run -lt 15; $run++) {
    $clock = [Diagnostics.Stopwatch]::StartNew(); $job = 1 | Invoke-ThreadPool { $_ } -AsJob; $returnPool.Add($clock.Elapsed.TotalMilliseconds)
    $null = $job | Wait-WorkerThread
    $clock.Restart(); $job = 1 | ForEach-Object -Parallel { $_ } -AsJob; $returnParallel.Add($clock.Elapsed.TotalMilliseconds)
    $null = $job | Receive-Job -Wait -AutoRemoveJob -ErrorAction SilentlyContinue
}
$asJobReturn = @{ Pool = Get-Median $returnPool; Parallel = Get-Median $returnParallel }
Add-Row 'asjob: 1 item, call to first output' $null $asJob.Pool $asJob.Parallel $null 'FE-Parallel/pool >= 1' ($asJob.Parallel -ge $asJob.Pool)
Write-Host ("AsJob: call to first output {0:n2} ms (ForEach-Object -Parallel -AsJob + Receive-Job -Wait: {1:n2} ms, {2:n1}x); the call returns its thread in {3:n2} ms ({4:n2} ms)" -f
    $asJob.Pool, $asJob.Parallel, ($asJob.Parallel / $asJob.Pool), $asJobReturn.Pool, $asJobReturn.Parallel)

# The first call of a session opens the pool's runspaces: measured in a fresh process, then a warm call there.
$pwsh = Join-Path $PSHOME 'pwsh'
$firstCallScript = @'
Import-Module PSThreading
$clock = [Diagnostics.Stopwatch]::StartNew(); $null = 1..10 | Invoke-ThreadPool { $_ * 2 }; $first = $clock.Elapsed.TotalMilliseconds
$clock.Restart(); $null = 1..10 | Invoke-ThreadPool { $_ * 2 }; $second = $clock.Elapsed.TotalMilliseconds
"$first;$second"
'@
$startup = (& $pwsh -NoProfile -NonInteractive -Command $firstCallScript | Select-Object -Last 1) -split ';'
Write-Host ("First call in a new session: {0:n1} ms; the next call: {1:n1} ms" -f [double]$startup[0], [double]$startup[1])


Write-Host ''
$rows | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
Write-Host "Medians in ms. pool/seq below 1 and the other ratios above 1 mean Invoke-ThreadPool is faster."

# Toolbox costs from PowerShell: queue throughput, one producer thread and 2 or 4 consumer threads, beside a
# [System.Collections.Concurrent.BlockingCollection[object]] driven by the same scripts; and how long a
# waiting thread takes to wake after an event is set. Prints medians of rounds.
param(
    [int] $Items = 20000,
    [int] $Rounds = 3
)
Import-Module PSThreading
$ErrorActionPreference = 'Stop'

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][math]::Floor($sorted.Count / 2)]
}

# The same loops for both queues; only the three calls differ.
$producer = {
    param($Queue, $Items, $Kind)
    for ($i = 0; $i -lt $Items; $i++) { $null = $Queue.Add($i) }
    if ($Kind -eq 'ThreadQueue') { $Queue.Complete() } else { $Queue.CompleteAdding() }
}
$consumer = {
    param($Queue, $Kind)
    $taken = 0
    if ($Kind -eq 'ThreadQueue') {
        try { while ($true) { $null = $Queue.Take(); $taken++ } } catch { }
    }
    else {
        $item = $null
        while (-not $Queue.IsCompleted) { if ($Queue.TryTake([ref] $item, -1)) { $taken++ } }
    }
    $taken
}

function Measure-Throughput([string] $Kind, [int] $Consumers) {
    # Assigned in the branches: as an if's output, the (empty, enumerable) collection would unroll to nothing.
    if ($Kind -eq 'ThreadQueue') { $queue = New-ThreadQueue -Capacity 100 }
    else { $queue = [System.Collections.Concurrent.BlockingCollection[object]]::new(100) }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $takers = 1..$Consumers | ForEach-Object { Start-WorkerThread $consumer -ArgumentList $queue, $Kind }
    $giver = Start-WorkerThread $producer -ArgumentList $queue, $Items, $Kind
    $null = $giver | Wait-WorkerThread -Timeout 300
    $taken = ($takers | Wait-WorkerThread -Timeout 300 | Measure-Object -Sum).Sum
    $seconds = $clock.Elapsed.TotalSeconds
    if ($taken -ne $Items) { throw "$Kind with $Consumers consumers: $taken items taken of $Items" }
    $Items / $seconds
}

$rows = foreach ($consumers in 2, 4) {
    foreach ($kind in 'ThreadQueue', 'BlockingCollection') {
        $null = Measure-Throughput $kind $consumers
        $rates = foreach ($round in 1..$Rounds) { Measure-Throughput $kind $consumers }
        [pscustomobject]@{ Consumers = $consumers; Queue = $kind; ItemsPerSecond = [math]::Round((Get-Median $rates)) }
    }
}
$rows | Format-Table -AutoSize | Out-String | Write-Output

# Set-to-wake: a worker waits on the event and notes the time it woke; the main thread notes when it set it.
$latencies = foreach ($round in 1..(5 * $Rounds)) {
    $event = New-ThreadEvent
    $woke = Start-WorkerThread -ArgumentList $event { param($e) $null = $e.Wait(); [Diagnostics.Stopwatch]::GetTimestamp() }
    while ($event.Waiters.Count -eq 0) { Start-Sleep -Milliseconds 5 }
    $set = [Diagnostics.Stopwatch]::GetTimestamp()
    $event.Set()
    $at = $woke | Wait-WorkerThread -Timeout 30
    ($at - $set) * 1e6 / [Diagnostics.Stopwatch]::Frequency
}
'Event set to waiter awake: {0,8:0} us (median of {1})' -f (Get-Median @($latencies)), $latencies.Count

# Python's queue.Queue: one producer thread, a pool of consumers, a bounded queue of 10 between them.
# Every item is processed exactly once, and the producer never runs more than 10 items ahead.
Import-Module PSThreading

$queue = New-ThreadQueue -Capacity 10
$most = [ref] 0

$producer = Start-WorkerThread -Name producer -ArgumentList $queue, $most {
    param($Queue, $Most)
    foreach ($n in 1..200) {
        $null = $Queue.Add($n)
        if ($Queue.Count -gt $Most.Value) { $Most.Value = $Queue.Count }
    }
    $Queue.Complete()
}

# Receive-ThreadQueue writes items as they arrive and ends once the queue is completed and empty.
$results = Receive-ThreadQueue $queue | Invoke-ThreadPool -ThrottleLimit 4 { [pscustomobject]@{ Item = $_; Square = $_ * $_ } }
$producer | Wait-WorkerThread

$items = $results | ForEach-Object Item | Sort-Object
'{0} results, {1} distinct items, every one of 1..200: {2}' -f $results.Count, ($items | Select-Object -Unique).Count, (-not (Compare-Object $items (1..200)))
'At most {0} items were waiting in the queue (capacity {1}).' -f $most.Value, $queue.Capacity

# A condition: consumers wait, giving the lock up, until a shared stock has something for them.
# A barrier: three workers finish each phase together before any starts the next.
Import-Module PSThreading

$stock = [Collections.Generic.List[int]]::new()
$changed = New-ThreadCondition
$buyers = 1..2 | ForEach-Object {
    Start-WorkerThread -Name "buyer-$_" -ArgumentList $changed, $stock {
        param($Changed, $Stock)
        Invoke-WithLock $Changed {
            $null = $Changed.WaitFor({ $Stock.Count -gt 0 }, 30)
            $item = $Stock[0]
            $Stock.RemoveAt(0)
            '{0} bought item {1}' -f (Get-ActiveThread -Current).Name, $item
        }
    }
}
foreach ($item in 1..2) {
    Start-Sleep -Milliseconds 100
    Invoke-WithLock $changed { $stock.Add($item); $changed.Notify() }
}
$buyers | Wait-WorkerThread

$phase = New-ThreadBarrier -Parties 3 -Timeout 30
$workers = 1..3 | ForEach-Object {
    Start-WorkerThread -Name "phase-worker-$_" -ArgumentList $phase {
        param($Phase)
        foreach ($step in 'load', 'check', 'save') {
            Start-Sleep -Milliseconds (Get-Random -Maximum 100)
            $index = $Phase.Wait()
            if ($index -eq 0) { "all three finished $step" }
        }
    }
}
$workers | Wait-WorkerThread

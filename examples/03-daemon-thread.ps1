# A daemon thread runs in the background and is cut off when the main script ends.
# Its second message never appears: the process does not wait for daemon threads.
Import-Module PSThreading

$ticker = Start-WorkerThread -Daemon -Name 'ticker' {
    while ($true) {
        Write-Host '  ticker: tick'
        Start-Sleep -Seconds 1
        Write-Host '  ticker: tock (you will not see this)'
    }
}
Start-Sleep -Milliseconds 300
Write-Host "Main: done; '$($ticker.Name)' is a daemon (IsDaemon = $($ticker.IsDaemon)), so it ends with the process."

# join(): the main script waits for the thread before going on, and collects what it returned.
Import-Module PSThreading

Write-Host 'Main: starting a thread that counts to 3.'
$counter = Start-WorkerThread -ArgumentList 3 {
    param([int] $Upto)
    foreach ($n in 1..$Upto) {
        Start-Sleep -Milliseconds 100
        Write-Host "  counter thread: $n"
        $n * $n
    }
}
$squares = $counter | Wait-WorkerThread
Write-Host "Main: the thread has ended ($($counter.State)); it returned the squares $($squares -join ', ')."

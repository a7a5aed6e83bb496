# A thread that counts up to a number it is given, while the main script carries on.
# The main script's last line usually appears before the thread's numbers: neither waits for the other.
Import-Module PSThreading

Write-Host 'Main: starting a thread that counts to 3.'
$counter = Start-WorkerThread -ArgumentList 3 {
    param([int] $Upto)
    foreach ($n in 1..$Upto) {
        Start-Sleep -Milliseconds 100
        Write-Host "  counter thread: $n"
    }
}
Write-Host "Main: started '$($counter.Name)'; not waiting for it."
# Not joined: the process still waits for this non-daemon thread before it exits, as Python does.

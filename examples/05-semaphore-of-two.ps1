# A semaphore of 2: three threads want in, at most two are inside at once; the third waits for a place.
Import-Module PSThreading

$places = New-ThreadSemaphore -Count 2
$clock = [Diagnostics.Stopwatch]::StartNew()

$visitor = {
    param($Places, $Clock)
    $me = (Get-ActiveThread -Current).Name
    Invoke-WithLock $Places {
        Write-Host ('  {0,5:0.0}s {1} is inside ({2} place(s) left)' -f $Clock.Elapsed.TotalSeconds, $me, $Places.CurrentCount)
        Start-Sleep -Milliseconds 600
        Write-Host ('  {0,5:0.0}s {1} leaves' -f $Clock.Elapsed.TotalSeconds, $me)
    }
}

Write-Host 'Main: three threads share a semaphore of 2.'
$visitors = 1..3 | ForEach-Object { Start-WorkerThread $visitor -ArgumentList $places, $clock -Name "visitor-$_" }
$visitors | Wait-WorkerThread
Write-Host ('Main: all done after {0:0.0}s; the last one in had to wait until one of the first two left.' -f $clock.Elapsed.TotalSeconds)

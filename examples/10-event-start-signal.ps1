# An event as a starting gun: three runners wait at the line until the main thread sets it, then all go at once.
Import-Module PSThreading

$go = New-ThreadEvent
$clock = [Diagnostics.Stopwatch]::StartNew()

$runner = {
    param($Go, $Clock)
    $me = (Get-ActiveThread -Current).Name
    $null = $Go.Wait()
    '{0} started at {1:0.00}s' -f $me, $Clock.Elapsed.TotalSeconds
}

$runners = 1..3 | ForEach-Object { Start-WorkerThread $runner -ArgumentList $go, $clock -Name "runner-$_" }
Start-Sleep -Milliseconds 300
Write-Host 'Main: the runners wait for the event:'
Get-ActiveThread | Where-Object Name -Like 'runner-*' | Format-Table Name, State, @{ n = 'Waiting for'; e = { $_.WaitingForObject } } | Out-Host
$go.Set()
$runners | Wait-WorkerThread

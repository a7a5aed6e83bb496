# enumerate() and active_count(): the threads alive right now, the main thread included.
Import-Module PSThreading

$sleepers = 1..3 | ForEach-Object {
    Start-WorkerThread -Name "sleeper-$_" -ArgumentList $_ { param($n) Start-Sleep -Milliseconds (300 * $n) }
}
Get-ActiveThread | Format-Table -AutoSize | Out-String | Write-Host
Write-Host "Alive now: $((Get-ActiveThread).Count)"

$null = $sleepers | Wait-WorkerThread
Write-Host "Alive after joining them: $((Get-ActiveThread).Count) ($((Get-ActiveThread).Name -join ', '))"

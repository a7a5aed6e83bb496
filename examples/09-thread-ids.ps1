# get_ident(): every live thread has its own id (ManagedThreadId).
Import-Module PSThreading

Write-Host "Main thread id: $((Get-ActiveThread -Current).ManagedThreadId)"
$workers = 1..3 | ForEach-Object {
    Start-WorkerThread { "$((Get-ActiveThread -Current).Name) has id $((Get-ActiveThread -Current).ManagedThreadId)"; Start-Sleep -Milliseconds 200 }
}
$workers | Wait-WorkerThread | Write-Host

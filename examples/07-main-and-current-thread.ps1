# main_thread() and current_thread(): which thread is running this code?
Import-Module PSThreading

Write-Host "Main thread:    $((Get-ActiveThread -Main).Name)"
Write-Host "Current thread: $((Get-ActiveThread -Current).Name)"

$worker = Start-WorkerThread -Name 'helper' {
    "Inside the worker, the current thread is '$((Get-ActiveThread -Current).Name)'" +
    " and the main thread is still '$((Get-ActiveThread -Main).Name)'."
}
$worker | Wait-WorkerThread | Write-Host

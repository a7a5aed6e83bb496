@{
    RootModule           = 'PSThreading.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c7a3e-2f4d-4c69-9a8e-3d1f6e0b7c21'
    Author               = 'PSThreading contributors'
    CompanyName          = 'PSThreading'
    Copyright            = '(c) PSThreading contributors. MIT License.'
    Description          = "Python's threading model for PowerShell: worker threads you can join and stop, locks and semaphores with deadlock detection, and a fast thread pool."
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('PSThreading.Format.ps1xml')
    CmdletsToExport      = @(
        'Start-WorkerThread'
        'Wait-WorkerThread'
        'Stop-WorkerThread'
        'Get-ActiveThread'
        'New-ThreadLock'
        'New-ThreadSemaphore'
        'Invoke-WithLock'
        'Invoke-ThreadPool'
        'New-ThreadEvent'
        'New-ThreadQueue'
        'Send-ThreadQueue'
        'Receive-ThreadQueue'
        'New-ThreadCondition'
        'New-ThreadBarrier'
        'Remove-ThreadLock'
        'New-ThreadRateLimiter'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('threading', 'thread', 'lock', 'semaphore', 'parallel', 'threadpool', 'runspace')
            ReleaseNotes = 'See CHANGELOG.md in the module folder. MIT License: see LICENSE there.'
        }
    }
}

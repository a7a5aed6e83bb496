@{
    RootModule           = 'PSThreading.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c7a3e-2f4d-4c69-9a8e-3d1f6e0b7c21'
    Author               = 'PSThreading contributors'
    CompanyName          = 'PSThreading'
    Copyright            = '(c) PSThreading contributors. MIT License.'
    Description          = "Python's threading model for PowerShell: worker threads you can join and stop, locks and semaphores with deadlock detection, and a fast thread pool. Tested on PowerShell 7.6.9 and 7.6.10 on Linux (Debian 12, x64). Built for Windows PowerShell 5.1, Windows and macOS too (one netstandard2.0 assembly), but not run there: compile-time only."
    # What the assembly is built for. What is verified is narrower: the Description, and 'Platforms' in README.md.
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
        'Get-ThreadingCapability'
        'New-ThreadRateLimiter'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            # The one platform tag is the one the tests run on.
            Tags         = @('threading', 'thread', 'lock', 'semaphore', 'parallel', 'threadpool', 'runspace', 'Linux')
            ReleaseNotes = 'See CHANGELOG.md in the module folder. MIT License: see LICENSE there. Tested on PowerShell 7.6.9 and 7.6.10 on Linux; Windows PowerShell 5.1, Windows and macOS are compile-time only.'
        }
    }
}

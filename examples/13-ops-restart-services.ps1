# An ops script: restart a service on a list of servers, three at a time, log each step to one file under a
# lock, and write a summary. Its Pester test (tests/Examples.OpsScript.Tests.ps1) mocks Restart-RemoteService:
# with $PSThreadingMode = 'Inline' the items run on the test's thread, where the mock is.
param(
    [string[]] $ComputerName = @('web01', 'web02', 'web03', 'app01', 'db01'),
    [string] $ServiceName = 'nginx',
    [string] $LogPath = (Join-Path ([IO.Path]::GetTempPath()) "restart-services-$PID.log"),
    [int] $ThrottleLimit = 3
)
if (-not (Get-Module PSThreading)) { Import-Module PSThreading }

# The one step that touches a server. This default simulates (no real services here): in production it
# would be Invoke-Command -ComputerName $ComputerName { Restart-Service -Name $using:ServiceName -PassThru }.
function Restart-RemoteService {
    param([string] $ComputerName, [string] $ServiceName)
    Start-Sleep -Milliseconds (Get-Random -Minimum 50 -Maximum 150)
    [pscustomobject]@{ ComputerName = $ComputerName; ServiceName = $ServiceName; Status = 'Running' }
}

$logLock = New-ThreadLock
Set-Content -Path $LogPath -Value "Restarting $ServiceName on $($ComputerName.Count) server(s)"
# A worker's runspace has none of this script's functions: the block defines the one it needs from its text.
$restartDefinition = ${function:Restart-RemoteService}

$results = $ComputerName | Invoke-ThreadPool -ThrottleLimit $ThrottleLimit -NoProgress {
    ${function:Restart-RemoteService} = $using:restartDefinition
    $server = $_
    try {
        $service = Restart-RemoteService -ComputerName $server -ServiceName $using:ServiceName
        $outcome = [pscustomobject]@{ ComputerName = $server; Succeeded = $true; Status = $service.Status; Error = $null }
    }
    catch {
        $outcome = [pscustomobject]@{ ComputerName = $server; Succeeded = $false; Status = 'Unknown'; Error = $_.Exception.Message }
    }
    # One writer at a time: lines from several workers never interleave in the log.
    Invoke-WithLock $using:logLock {
        Add-Content -Path $using:LogPath -Value ('{0}: {1}' -f $server, $(if ($outcome.Succeeded) { "restarted, $($outcome.Status)" } else { "FAILED: $($outcome.Error)" }))
    }
    $outcome
}

$failed = @($results | Where-Object { -not $_.Succeeded })
$summary = [pscustomobject]@{
    ServiceName = $ServiceName
    Servers = $ComputerName.Count
    Restarted = @($results | Where-Object Succeeded).Count
    Failed = $failed.Count
    FailedServers = @($failed | ForEach-Object ComputerName)
    LogPath = $LogPath
}
Add-Content -Path $LogPath -Value "Done: $($summary.Restarted) restarted, $($summary.Failed) failed"
Write-Host "Restarted $ServiceName on $($summary.Restarted) of $($summary.Servers) server(s); $($summary.Failed) failed. Log: $LogPath"
$summary

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# The example ops script under test with Pester mocks. With $PSThreadingMode = 'Inline' the items that
# Invoke-ThreadPool runs stay on the test's thread, in its session state, where the mock is.
Describe 'examples/13-ops-restart-services.ps1 under Pester' {
    BeforeAll {
        $script:OpsScript = Join-Path $RepoRoot 'examples/13-ops-restart-services.ps1'
        # Pester mocks only a command that exists where Mock runs: the script defines its own when it runs.
        function Restart-RemoteService { param([string] $ComputerName, [string] $ServiceName) }
    }

    BeforeEach {
        $script:LogPath = Join-Path $TestDrive "restart-$([guid]::NewGuid().ToString('n')).log"
    }

    Context 'with $PSThreadingMode = Inline' {
        BeforeAll {
            $PSThreadingMode = 'Inline'
        }

        BeforeEach {
            Mock Restart-RemoteService { [pscustomobject]@{ ComputerName = $ComputerName; ServiceName = $ServiceName; Status = 'Running' } }
            Mock Restart-RemoteService { throw "Access is denied on $ComputerName." } -ParameterFilter { $ComputerName -eq 'db01' }
        }

        It 'restarts the service through the mock exactly once per server' {
            $summary = & $OpsScript -ComputerName web01, web02, db01 -ServiceName nginx -LogPath $LogPath 6>$null

            Should -Invoke Restart-RemoteService -Exactly -Times 3
            Should -Invoke Restart-RemoteService -Exactly -Times 1 -ParameterFilter { $ComputerName -eq 'web02' -and $ServiceName -eq 'nginx' }
            Should -Invoke Restart-RemoteService -Exactly -Times 1 -ParameterFilter { $ComputerName -eq 'db01' }
            $summary.Restarted | Should -Be 2
            $summary.Failed | Should -Be 1
            $summary.FailedServers | Should -Be @('db01')
        }

        It 'logs one whole line per server under the lock, the failure with its reason, then the summary' {
            $null = & $OpsScript -ComputerName web01, web02, db01 -ServiceName nginx -LogPath $LogPath 6>$null

            $log = @(Get-Content $LogPath)
            $log[0] | Should -Be 'Restarting nginx on 3 server(s)'
            $log[1..3] | Should -Be @('web01: restarted, Running', 'web02: restarted, Running', 'db01: FAILED: Access is denied on db01.')
            $log[-1] | Should -Be 'Done: 2 restarted, 1 failed'
        }
    }

    Context 'without Inline: the documented contrast' {
        BeforeEach {
            Mock Restart-RemoteService { throw 'The mock was reached.' }
        }

        It 'misses the mock: the items run in worker runspaces, where the script''s own simulated function runs' {
            $summary = & $OpsScript -ComputerName web01, web02, db01 -ServiceName nginx -LogPath $LogPath 6>$null

            Should -Invoke Restart-RemoteService -Exactly -Times 0
            $summary.Restarted | Should -Be 3
        }
    }
}

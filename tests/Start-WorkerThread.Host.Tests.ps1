BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Start-WorkerThread host output' {
    AfterEach { Stop-LeftoverWorker }

    It "puts a worker's Write-Host line in the caller's transcript, once" {
        $result = Invoke-ChildPwsh @'
$path = Join-Path ([IO.Path]::GetTempPath()) "psthreading-transcript-$PID.txt"
Start-Transcript -Path $path | Out-Null
$t = Start-WorkerThread { Write-Host 'line-from-the-worker' }
$null = Wait-WorkerThread $t
Stop-Transcript | Out-Null
"count:" + @(Get-Content $path | Where-Object { $_ -match 'line-from-the-worker' }).Count
Remove-Item $path
'@
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Contain 'count:1'
    }

    It 'shows Write-Host at once by default, and holds it with -HoldHostOutput' -TestCases @(
        @{ Switch = $false; Live = $true }
        @{ Switch = $true; Live = $false }
    ) {
        param($Switch, $Live)
        # The worker ends before the marker is written; only the join may write held text, after the marker.
        $result = Invoke-ChildPwsh @"
`$t = Start-WorkerThread { Write-Host 'host-line' } -HoldHostOutput:`$$Switch
`$deadline = [datetime]::UtcNow.AddSeconds(20)
while (`$t.IsAlive -and [datetime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 20 }
'marker'
`$null = Wait-WorkerThread `$t
"@
        $result.ExitCode | Should -Be 0
        $marker = [array]::IndexOf($result.Output, 'marker')
        $marker | Should -BeGreaterOrEqual 0
        $before = @($result.Output | Select-Object -First $marker)
        ($before -contains 'host-line') | Should -Be $Live
    }
}

Describe 'Start-WorkerThread prompts' {
    AfterEach { Stop-LeftoverWorker }

    It '<Case> in a worker blocks it, shown as Blocked, without reading the console' -TestCases @(
        @{ Case = 'Read-Host'; Block = { Read-Host 'name' } }
        @{ Case = 'a -Confirm'; Block = { Set-Variable -Name x -Value 1 -Confirm } }
        @{ Case = 'PromptForChoice'; Block = { $Host.UI.PromptForChoice('caption', 'message', [System.Management.Automation.Host.ChoiceDescription[]]@('&Yes', '&No'), 0) } }
        @{ Case = 'Get-Credential'; Block = { Get-Credential -UserName someone -Message 'why' } }
    ) {
        param($Case, $Block)
        $thread = Start-WorkerThread $Block
        Wait-Until { $thread.State -eq 'Blocked' } -Seconds 20
        $thread.IsAlive | Should -BeTrue
        (Get-ActiveThread -Id $thread.ManagedThreadId).State | Should -Be 'Blocked'
    }

    It 'Stop-WorkerThread ends a Blocked prompt: Stopped within a bound' {
        $thread = Start-WorkerThread { Read-Host 'never answered'; 'not reached' }
        Wait-Until { $thread.State -eq 'Blocked' } -Seconds 20
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Stop-WorkerThread $thread
        Wait-Until { -not $thread.IsAlive } -Seconds 10
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $thread.State | Should -Be 'Stopped'
        Wait-WorkerThread $thread | Should -BeNullOrEmpty
    }

    It 'Wait-WorkerThread asks the prompt on its own thread and hands the answer to the worker' {
        # The child's console input is a file: the join's Read-Host reads 'bob' from it.
        $child = Invoke-ChildPwshWithInput -InputLine 'bob' -Script @'
$t = Start-WorkerThread { 'before'; $name = Read-Host 'name'; "got:$name" }
$deadline = [datetime]::UtcNow.AddSeconds(20)
while ($t.State -ne 'Blocked' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"state:$($t.State)"
Wait-WorkerThread $t
"after:$($t.State)"
'@
        $output = $child.Output
        $child.ExitCode | Should -Be 0
        $output | Should -Contain 'state:Blocked'
        $output | Should -Contain 'got:bob'
        $output | Should -Contain 'after:Completed'
        # The worker's output written before the prompt comes first, as written.
        [array]::IndexOf($output, 'before') | Should -BeLessThan ([array]::IndexOf($output, 'got:bob'))
    }
}

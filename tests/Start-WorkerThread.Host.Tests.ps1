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

    # In a child pwsh without -NonInteractive: under -NonInteractive (this suite's pwsh) a prompt fails at once.
    It '<Case> in a worker blocks it, shown as Blocked, without reading the console' -TestCases @(
        @{ Case = 'Read-Host'; Block = "Read-Host 'name'" }
        @{ Case = 'a -Confirm'; Block = 'Set-Variable -Name x -Value 1 -Confirm' }
        @{ Case = 'PromptForChoice'; Block = "`$Host.UI.PromptForChoice('caption', 'message', [System.Management.Automation.Host.ChoiceDescription[]]@('&Yes', '&No'), 0)" }
        @{ Case = 'Get-Credential'; Block = "Get-Credential -UserName someone -Message 'why'" }
    ) {
        param($Case, $Block)
        $child = Invoke-ChildPwshWithInput -InputLine '' -Script @"
`$thread = Start-WorkerThread { $Block }
`$deadline = [datetime]::UtcNow.AddSeconds(20)
while (`$thread.State -ne 'Blocked' -and [datetime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 20 }
"state:`$(`$thread.State)"
"alive:`$(`$thread.IsAlive)"
"listed:`$((Get-ActiveThread -Id `$thread.ManagedThreadId).State)"
"@
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'state:Blocked'
        $child.Output | Should -Contain 'alive:True'
        $child.Output | Should -Contain 'listed:Blocked'
    }

    It 'Stop-WorkerThread ends a Blocked prompt: Stopped within a bound' {
        $child = Invoke-ChildPwshWithInput -InputLine '' -Script @'
$thread = Start-WorkerThread { Read-Host 'never answered'; 'not reached' }
$deadline = [datetime]::UtcNow.AddSeconds(20)
while ($thread.State -ne 'Blocked' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"before:$($thread.State)"
$clock = [Diagnostics.Stopwatch]::StartNew()
Stop-WorkerThread $thread
$deadline = [datetime]::UtcNow.AddSeconds(10)
while ($thread.IsAlive -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"seconds:{0:0.0}" -f $clock.Elapsed.TotalSeconds
"after:$($thread.State)"
"output:" + @(Wait-WorkerThread $thread).Count
'@
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'before:Blocked'
        [double](($child.Output | Where-Object { $_ -like 'seconds:*' }) -replace 'seconds:') | Should -BeLessThan 5
        $child.Output | Should -Contain 'after:Stopped'
        $child.Output | Should -Contain 'output:0'
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

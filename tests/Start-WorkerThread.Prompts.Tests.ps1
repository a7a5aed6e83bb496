BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # A child pwsh run with the given switches, console input from a file (empty: nobody answers), standard
    # output and standard error kept apart; bounded, so a hang fails the test instead of holding the suite.
    function Invoke-PromptChild {
        param([string] $Script, [string[]] $Switch = @(), [string[]] $InputLine = @(), [int] $TimeoutSeconds = 40)
        $file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-prompt-$([guid]::NewGuid().ToString('n')).ps1"
        "Import-Module '$ModuleManifest'`n$Script" | Set-Content -Path $file
        Set-Content -Path "$file.in" -Value $InputLine
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $process = Start-Process -FilePath $PwshPath -ArgumentList (@('-NoProfile') + $Switch + @('-File', $file)) `
                -RedirectStandardInput "$file.in" -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err" -PassThru -NoNewWindow
            $exited = $process.WaitForExit($TimeoutSeconds * 1000)
            if (-not $exited) { $process.Kill($true); $null = $process.WaitForExit(5000) }
            else { $process.WaitForExit() }   # the redirected output is copied to its file asynchronously
            [pscustomobject]@{
                Exited = $exited
                Seconds = $clock.Elapsed.TotalSeconds
                ExitCode = if ($exited) { $process.ExitCode } else { $null }
                Output = @(Get-Content "$file.out")
                StdErr = (Get-Content "$file.err" -Raw) + ''
            }
        }
        finally {
            Remove-Item $file, "$file.in", "$file.out", "$file.err" -ErrorAction Ignore
        }
    }
}
# Concurrency

Describe 'A worker at a prompt says so' {
    It 'writes one line naming the thread and Wait-WorkerThread when no join waits on it' {
        $child = Invoke-PromptChild -Script @'
$t = Start-WorkerThread -Name asker { Read-Host 'name' }
$deadline = [datetime]::UtcNow.AddSeconds(20)
while ($t.State -ne 'Blocked' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
Start-Sleep -Milliseconds 300
"state:$($t.State)"
Stop-WorkerThread $t
'@
        $child.Exited | Should -BeTrue
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'state:Blocked'
        $notice = @($child.Output | Where-Object { $_ -match 'asker' -and $_ -match 'prompt' })
        $notice.Count | Should -Be 1
        $notice[0] | Should -Match 'Wait-WorkerThread'
    }

    It 'says nothing when a join already waits on it (the join shows the prompt)' {
        $child = Invoke-PromptChild -InputLine 'bob' -Script @'
$t = Start-WorkerThread -Name asker { Start-Sleep -Milliseconds 500; $n = Read-Host 'name'; "got:$n" }
Wait-WorkerThread $t
'@
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'got:bob'
        @($child.Output | Where-Object { $_ -match 'waits at a prompt' }).Count | Should -Be 0
    }
}

Describe 'A prompt nobody can answer does not hold the process' {
    It 'exits (<Case>): the never-joined prompt fails with PromptNotAnswered' -TestCases @(
        @{ Case = '-NonInteractive'; Switch = @('-NonInteractive') }
        @{ Case = 'console input redirected'; Switch = @() }
    ) {
        param($Case, $Switch)
        # The worker says what its prompt failed with, straight to the process's output (no join will come).
        $child = Invoke-PromptChild -Switch $Switch -Script @'
$t = Start-WorkerThread -Name asker {
    try { $null = Read-Host 'never answered'; [Console]::Out.WriteLine('answered') }
    catch { [Console]::Out.WriteLine('failed:' + $_.FullyQualifiedErrorId) }
}
$deadline = [datetime]::UtcNow.AddSeconds(20)
while ($t.State -eq 'Running' -and -not $t.HasMoreData -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
'script-end'
'@
        $child.Exited | Should -BeTrue -Because 'a prompt that no join will answer must not keep pwsh alive'
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'script-end'
        ($child.Output | Where-Object { $_ -like 'failed:*' }) | Should -Match '^failed:PromptNotAnswered'
        $child.Seconds | Should -BeLessThan 30
    }

    It 'under -NonInteractive fails the prompt at once: the thread never shows Blocked' {
        $child = Invoke-PromptChild -Switch '-NonInteractive' -Script @'
$t = Start-WorkerThread { try { Read-Host 'q' } catch { 'caught:' + $_.FullyQualifiedErrorId } }
$seen = [Collections.Generic.List[string]]::new()
$deadline = [datetime]::UtcNow.AddSeconds(20)
while ($t.IsAlive -and [datetime]::UtcNow -lt $deadline) { $seen.Add("$($t.State)"); Start-Sleep -Milliseconds 5 }
"blocked-seen:" + $seen.Contains('Blocked')
Wait-WorkerThread $t
'@
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'blocked-seen:False'
        ($child.Output | Where-Object { $_ -like 'caught:*' }) | Should -Match '^caught:PromptNotAnswered,'
    }
}

Describe 'Joins of a prompting worker' {
    It "two joins (one in a worker): the console's join shows the prompt, nothing hangs" {
        $child = Invoke-PromptChild -InputLine 'bob' -Script @'
$a = Start-WorkerThread -Name asker { $n = Read-Host 'name'; "got:$n" }
$w = Start-WorkerThread -Name joiner { $using:a | Wait-WorkerThread; 'joined' }
# Two runspaces to open on a loaded machine: a generous bound, a hang still fails the test.
$deadline = [datetime]::UtcNow.AddSeconds(60)
while (($a.State -ne 'Blocked' -or $w.State -ne 'Blocked') -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"before:$($a.State),$($w.State)"
$a | Wait-WorkerThread
"asker:$($a.State)"
$w | Wait-WorkerThread
"joiner:$($w.State)"
'@ -TimeoutSeconds 120
        $child.Exited | Should -BeTrue -Because 'the join in a worker must not take the prompt away from the console'
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'before:Blocked,Blocked' -Because (($child.Output -join ' | ') + $child.StdErr)
        $child.Output | Should -Contain 'asker:Completed'
        $child.Output | Should -Contain 'joiner:Completed'
        @($child.Output | Where-Object { $_ -match 'got:bob' }).Count | Should -Be 1
    }

    It 'a timed join returns at its timeout and leaves the prompt pending for a later join' {
        $child = Invoke-PromptChild -InputLine 'bob' -Script @'
$t = Start-WorkerThread -Name asker { $n = Read-Host 'name'; "got:$n" }
$deadline = [datetime]::UtcNow.AddSeconds(60)
while ($t.State -ne 'Blocked' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"before-timed:$($t.State)"
$clock = [Diagnostics.Stopwatch]::StartNew()
$null = Wait-WorkerThread $t -Timeout 1 -WarningVariable warned -WarningAction SilentlyContinue
"timed:{0:0.0}" -f $clock.Elapsed.TotalSeconds
"after-timed:$($t.State)"
"warned:$warned"
Wait-WorkerThread $t
'@ -TimeoutSeconds 120
        $said = ($child.Output -join ' | ') + $child.StdErr
        $child.Exited | Should -BeTrue
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'before-timed:Blocked' -Because $said
        # A timed join returns near its timeout (1 s); the bound is generous for a loaded machine, far below a hang.
        [double](($child.Output | Where-Object { $_ -like 'timed:*' }) -replace 'timed:') | Should -BeLessThan 10 -Because $said
        $child.Output | Should -Contain 'after-timed:Blocked' -Because $said
        ($child.Output | Where-Object { $_ -like 'warned:*' }) | Should -Match "asker.*prompt"
        $child.Output | Should -Contain 'got:bob'
    }
}

Describe 'The exit-wait line' {
    It 'is not written when nobody is at the console (standard error stays clean, exit 0)' -TestCases @(
        @{ Case = '-NonInteractive'; Switch = @('-NonInteractive') }
        @{ Case = 'console input redirected'; Switch = @() }
    ) {
        param($Case, $Switch)
        $child = Invoke-PromptChild -Switch $Switch -Script @'
$null = Start-WorkerThread -Name slow { Start-Sleep -Seconds 3; [Console]::Out.WriteLine('slow-done') }
'script-end'
'@
        $child.Exited | Should -BeTrue
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'slow-done'
        $child.StdErr.Trim() | Should -BeNullOrEmpty
    }
}

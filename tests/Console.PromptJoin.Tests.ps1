BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency
# A join showing a worker's prompt at a real console (tmux): it ends by itself when the worker is stopped, and
# -Any returns after one answer. Skipped where tmux is absent.

BeforeDiscovery { $script:NoTmux = -not (Get-Command tmux -CommandType Application -ErrorAction Ignore) }

Describe 'A join at a worker''s prompt (tmux, issue 21)' -Skip:$NoTmux {
    BeforeAll { . (Join-Path $PSScriptRoot 'Tmux.ps1') }

    AfterEach {
        if ($session) { tmux kill-session -t $session 2>$null }
    }

    It 'ends by itself when another thread stops the worker whose prompt it shows, keys typed so far or not' {
        $session = Start-TmuxPwsh -Width 120
        $go = Join-Path ([IO.Path]::GetTempPath()) "psthreading-stop-$([guid]::NewGuid().ToString('n'))"
        # The stopper waits for a file the test makes once keys are typed at the prompt: the console itself is busy.
        tmux send-keys -t $session -l "`$a = Start-WorkerThread -Name asker { Read-Host 'your name' }; `$null = Start-WorkerThread { while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 50 }; Stop-WorkerThread -Name asker }; `$a | Wait-WorkerThread; 'JOIN-ENDED:' + `$a.State"
        tmux send-keys -t $session Enter
        try {
            $null = Wait-Screen $session { param($l) @($l | Where-Object { $_ -like 'your name:*' }).Count -eq 1 }
            tmux send-keys -t $session -l 'half'
            $null = Wait-Screen $session { param($l) @($l | Where-Object { $_ -like 'your name: half*' }).Count -eq 1 }
            $null = New-Item -ItemType File -Path $go
            $null = Wait-Screen $session { param($l) $l -contains 'JOIN-ENDED:Stopped' } -Seconds 60
            # The next command line is PowerShell's again: a command runs.
            Send-Line $session "'after-' + 'join'"
            $lines = Wait-Screen $session { param($l) $l -contains 'after-join' }
            @($lines | Where-Object { $_ -eq 'after-join' }).Count | Should -Be 1 -Because ($lines -join "`n")
        }
        finally {
            Remove-Item -LiteralPath $go -ErrorAction Ignore
        }
    }

    It 'returns from -Any after one answer, leaving the other thread''s prompt with a warning' {
        $session = Start-TmuxPwsh -Width 120
        tmux send-keys -t $session -l "`$a = Start-WorkerThread { 'A=' + (Read-Host 'first') }; `$b = Start-WorkerThread { 'B=' + (Read-Host 'second') }; Wait-WorkerThread `$a, `$b -Any; 'ANY-RETURNED'"
        tmux send-keys -t $session Enter
        $lines = Wait-Screen $session { param($l) @($l | Where-Object { $_ -like 'first:*' -or $_ -like 'second:*' }).Count -ge 1 }
        $first = if (@($lines | Where-Object { $_ -like 'first:*' }).Count) { 'first' } else { 'second' }
        tmux send-keys -t $session -l 'x1'
        tmux send-keys -t $session Enter
        $lines = Wait-Screen $session { param($l) $l -contains 'ANY-RETURNED' } -Seconds 60
        $text = $lines -join "`n"
        # One prompt shown, one answer, and the other left for a later join.
        $other = if ($first -eq 'first') { 'second' } else { 'first' }
        @($lines | Where-Object { $_ -like "${other}:*" }).Count | Should -Be 0 -Because $text
        $text | Should -Match 'left for another join'
        @($lines | Where-Object { $_ -match '^[AB]=x1$' }).Count | Should -Be 1 -Because $text
        # The other prompt is answered by the next join.
        Send-Line $session 'Get-ActiveThread | Stop-WorkerThread'
    }
}

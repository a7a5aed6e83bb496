BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency
# A worker's host text and prompts at a real PSReadLine prompt: pwsh in a detached tmux session of 80x24,
# driven with send-keys and read with capture-pane. Skipped where tmux is absent.

BeforeDiscovery { $script:NoTmux = -not (Get-Command tmux -CommandType Application -ErrorAction Ignore) }

Describe 'Console at a PSReadLine prompt (tmux)' -Skip:$NoTmux {
    BeforeAll { . (Join-Path $PSScriptRoot 'Tmux.ps1') }

    AfterEach {
        if ($session) { tmux kill-session -t $session 2>$null }
    }

    It "writes a worker's line above the prompt and keeps the half-typed line" {
        $session = Start-TmuxPwsh
        Send-Line $session "`$t = Start-WorkerThread { Start-Sleep 2; Write-Host 'worker-line-42' }"
        # Half a command, no Enter, typed before the worker writes.
        tmux send-keys -t $session -l "'half' + 'typed'"
        $lines = Wait-Screen $session { param($l) $l -contains 'worker-line-42' }
        Start-Sleep -Milliseconds 500
        $lines = Get-Screen $session
        $workerRow = [array]::IndexOf($lines, 'worker-line-42')
        $promptRows = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -like "PS *> 'half' + 'typed'") { $i } })
        $promptRows.Count | Should -Be 1 -Because ($lines -join "`n")
        $workerRow | Should -BeLessThan $promptRows[0]
        # Enter runs exactly what was typed.
        tmux send-keys -t $session Enter
        $lines = Wait-Screen $session { param($l) $l -contains 'halftyped' }
        @($lines | Where-Object { $_ -eq 'halftyped' }).Count | Should -Be 1
        @($lines | Where-Object { $_ -eq 'worker-line-42' }).Count | Should -Be 1
    }

    It "leaves typed keys to PSReadLine while a worker waits at Read-Host; Wait-WorkerThread asks it" {
        $session = Start-TmuxPwsh
        Send-Line $session "`$t = Start-WorkerThread { `$n = Read-Host 'name'; `"got:`$n`" }"
        # Typed at the prompt, 'bob' is a command line for PSReadLine, not an answer for the worker.
        Send-Line $session 'bob'
        $lines = Get-Screen $session
        ($lines -join "`n") | Should -Match "The term 'bob' is not recognized"
        Send-Line $session '$t.State'
        Get-Screen $session | Should -Contain 'Blocked'
        tmux send-keys -t $session -l 'Wait-WorkerThread $t'
        tmux send-keys -t $session Enter
        $null = Wait-Screen $session { param($l) @($l | Where-Object { $_ -like 'name:*' }).Count -ge 1 }
        tmux send-keys -t $session -l 'bob'
        tmux send-keys -t $session Enter
        $lines = Wait-Screen $session { param($l) $l -contains 'got:bob' }
        Send-Line $session '"state:$($t.State)"'
        Get-Screen $session | Should -Contain 'state:Completed'
    }
}

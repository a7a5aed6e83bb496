BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency
# A worker's host text at an idle PSReadLine prompt (no key pressed), in a real terminal: tmux at 80 and 120
# columns. Every line shows once, whole, in order, above the prompt, without waiting for a key; the prompt and
# the half-typed line are drawn whole below it. Skipped where tmux is absent. The tests where the width changes
# what is drawn (a prompt redrawn below the lines, lines longer than the window) run at both widths, the others
# at 80 only: each starts a pwsh in tmux, and CI has 20 minutes.

BeforeDiscovery { $script:NoTmux = -not (Get-Command tmux -CommandType Application -ErrorAction Ignore) }

Describe 'Worker lines at an idle prompt, <Width> columns (tmux)' -Skip:$NoTmux -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Tmux.ps1')

        # True when each expected line is on the screen exactly once (a whole row of its own), in order, all of
        # them above the last row that matches the prompt pattern (blanks at a row's end left out).
        function Test-LinesOnce([string[]] $Lines, [string[]] $Expected, [string] $PromptPattern) {
            $rowsOf = [Collections.Generic.Dictionary[string, Collections.Generic.List[int]]]::new([StringComparer]::Ordinal)
            $lastPrompt = -1
            for ($i = 0; $i -lt $Lines.Count; $i++) {
                if (-not $rowsOf.ContainsKey($Lines[$i])) { $rowsOf[$Lines[$i]] = [Collections.Generic.List[int]]::new() }
                $rowsOf[$Lines[$i]].Add($i)
                if ($Lines[$i].TrimEnd() -like $PromptPattern) { $lastPrompt = $i }
            }
            $previous = -1
            foreach ($line in $Expected) {
                if (-not $rowsOf.ContainsKey($line) -or $rowsOf[$line].Count -ne 1 -or $rowsOf[$line][0] -le $previous) { return $false }
                $previous = $rowsOf[$line][0]
            }
            $previous -lt $lastPrompt
        }

        # The last row that is not blank, without the blanks at its end.
        function Get-LastRow([string[]] $Lines) { @($Lines | Where-Object { $_.Trim() })[-1].TrimEnd() }

        # Waits (bounded, no key pressed) for every expected line shown once above the prompt, the prompt row
        # last and showing exactly what was typed; fails with the screen otherwise.
        function Wait-LinesAbovePrompt([string] $Session, [string[]] $Expected, [string] $PromptRow, [double] $Seconds = 40) {
            $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
            while ($true) {
                $lines = Get-Screen $Session
                if ((Test-LinesOnce $lines $Expected $PromptRow) -and (Get-LastRow $lines) -like $PromptRow) { return $lines }
                if ([datetime]::UtcNow -gt $deadline) {
                    $missing = @($Expected | Where-Object { @($lines -ceq $_).Count -ne 1 })
                    throw "Not every line once above the prompt '$PromptRow' ($($missing.Count) of $($Expected.Count) missing or repeated: $($missing | Select-Object -First 5)):`n$($lines -join "`n")"
                }
                Start-Sleep -Milliseconds 200
            }
        }

        # Waits for the lines above a prompt showing 'First' + 'Second' as typed, then runs that line with Enter:
        # its one result row shows that the typed keys reached PSReadLine whole. Returns the screen.
        function Assert-LinesThenTypedLine([string] $Session, [string[]] $Expected, [string] $First, [string] $Second, [string] $Prompt = 'PS *>') {
            $null = Wait-LinesAbovePrompt $Session $Expected "$Prompt '$First' + '$Second'"
            tmux send-keys -t $Session Enter
            $lines = Wait-Screen $Session { param($l) $l -ccontains "$First$Second" }
            @($lines -ceq "$First$Second").Count | Should -Be 1
            $lines
        }
    }

    AfterEach {
        if ($session) { tmux kill-session -t $session 2>$null }
    }

    if ($Width -eq 80) {
        It 'shows 4 lines written 1 s apart as they come, with no key pressed, and the prompt after them' {
            $session = Start-TmuxPwsh -Width $Width
            Send-Line $session 'Start-WorkerThread { foreach ($n in 1..4) { Start-Sleep 1; Write-Host "beat $n" } } | Out-Null'
            # The first line comes before the worker ends, not at its end or at the next key.
            $null = Wait-Screen $session { param($l) $l -ccontains 'beat 1' } -Seconds 20
            $lines = Wait-LinesAbovePrompt $session ('beat 1', 'beat 2', 'beat 3', 'beat 4') 'PS *>'
            @($lines | Where-Object { $_ -like '*beat*' -and $_ -like 'PS *' -and $_ -notlike '*Start-WorkerThread*' }) | Should -BeNullOrEmpty
            # The prompt still takes a command.
            Send-Line $session '"after:" + (1 + 1)'
            Get-Screen $session | Should -Contain 'after:2'
        }
    }

    if ($Width -eq 80) {
        It 'shows every one of <Count> lines <Case>, each once and in order, then takes a typed line' -TestCases @(
            # A first line 1 s before the burst: the burst comes after a redraw of the idle prompt.
            @{ Case = 'written at once'; From = 0; Count = 300; Prefix = 'burst-'
                Command = 'Start-WorkerThread { Start-Sleep -Milliseconds 300; Write-Host "burst-0"; Start-Sleep 1; foreach ($n in 1..300) { Write-Host "burst-$n" } } | Out-Null' }
            @{ Case = 'of a worker still writing after Remove-Module'; From = 1; Count = 30; Prefix = 'removed-'
                Command = 'Start-WorkerThread { foreach ($n in 1..30) { Start-Sleep -Milliseconds 100; Write-Host "removed-$n" } } | Out-Null; Remove-Module PSThreading' }
        ) {
            $session = Start-TmuxPwsh -Width $Width
            Send-Line $session $Command
            $expected = foreach ($n in $From..$Count) { "$Prefix$n" }
            # No key pressed until every line is shown.
            $null = Wait-LinesAbovePrompt $session $expected 'PS *>'
            tmux send-keys -t $session -l "'half' + 'typed'"
            $null = Assert-LinesThenTypedLine $session $expected 'half' 'typed'
        }
    }

    It 'keeps a two-line prompt whole, once, below the lines, with the half-typed line (<Case>)' -TestCases @(
        @{ Case = 'plain text'; Prompt = 'function prompt { "top-of-prompt`nPS2> " }' }
        @{ Case = 'colours, a non-ASCII character, Write-Host in the prompt'
            Prompt = 'function prompt { Write-Host "top-of-prompt" -ForegroundColor Green; "`e[32mPS2`e[0m ❯ " }' }
    ) {
        $session = Start-TmuxPwsh -Width $Width
        Send-Line $session $Prompt -PromptPattern 'PS2*'
        Send-Line $session 'Start-WorkerThread { foreach ($n in 1..3) { Start-Sleep -Milliseconds 700; Write-Host "two-$n" } } | Out-Null' -PromptPattern 'PS2*'
        tmux send-keys -t $session -l "'ab' + 'cd'"
        $null = Assert-LinesThenTypedLine $session ('two-1', 'two-2', 'two-3') 'ab' 'cd' -Prompt 'PS2*'
        # One top line per prompt the console drew (3 once the prompt after 'abcd' is drawn), none left over from
        # a redraw, each right above its second line.
        $lines = Wait-Screen $session { param($l) @($l -ceq 'top-of-prompt').Count -ge 3 -and (Get-LastRow $l) -like 'PS2*' }
        $tops = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -ceq 'top-of-prompt') { $i } })
        $tops.Count | Should -Be 3 -Because ($lines -join "`n")
        foreach ($top in $tops) { $lines[$top + 1] | Should -BeLike 'PS2*' }
    }

    It 'shows lines longer than the window whole, with the prompt after them' {
        $session = Start-TmuxPwsh -Width $Width
        Send-Line $session 'Start-WorkerThread { foreach ($n in 1..2) { Start-Sleep 1; Write-Host ("long$n" + ("x" * 300) + "end") }; Write-Host "after-long" } | Out-Null'
        $long = foreach ($n in 1..2) { "long$n" + ('x' * 300) + 'end' }
        $null = Wait-LinesAbovePrompt $session ($long + 'after-long') 'PS *>'
        Send-Line $session '"still:" + 3'
        Get-Screen $session | Should -Contain 'still:3'
    }

    if ($Width -eq 80) {
        It 'shows every line and keeps the typed keys when keys are typed while lines arrive' {
            $session = Start-TmuxPwsh -Width $Width
            Send-Line $session 'Start-WorkerThread { foreach ($n in 1..200) { Start-Sleep -Milliseconds 20; Write-Host "typing-$n" } } | Out-Null'
            # Keys well under 300 ms apart for seconds: PSReadLine is never idle meanwhile.
            foreach ($key in "'typed-while-lines-arrive' + '-keys'".ToCharArray()) {
                tmux send-keys -t $session -l "$key"
                Start-Sleep -Milliseconds 80
            }
            $expected = foreach ($n in 1..200) { "typing-$n" }
            $null = Assert-LinesThenTypedLine $session $expected 'typed-while-lines-arrive' '-keys'
        }
    }

    if ($Width -eq 80) {
        It 'keeps firing an OnIdle action and a timer action at the idle prompt after a worker wrote above it' {
            $session = Start-TmuxPwsh -Width $Width
            Send-Line $session ('$global:idleAt = [Collections.Generic.List[long]]::new(); $global:tickAt = [Collections.Generic.List[long]]::new(); ' +
                '$null = Register-EngineEvent PowerShell.OnIdle -Action { $global:idleAt.Add([Environment]::TickCount64) }; ' +
                '$timer = [Timers.Timer]::new(200); $null = Register-ObjectEvent $timer Elapsed -Action { $global:tickAt.Add([Environment]::TickCount64) }; $timer.Start()')
            Send-Line $session '$shown = [hashtable]::Synchronized(@{}); Start-WorkerThread { param($s) Start-Sleep -Milliseconds 500; $s.At = [Environment]::TickCount64; Write-Host "event-line" } -ArgumentList $shown | Out-Null'
            $null = Wait-LinesAbovePrompt $session @('event-line') 'PS *>'
            # Idle (no key) well past the redraw: both actions must have run in that time, not at the next key.
            Start-Sleep -Seconds 4
            Send-Line $session '"idle:" + @($global:idleAt | Where-Object { $_ -gt $shown.At + 1000 -and $_ -lt $shown.At + 3000 }).Count + " ticks:" + @($global:tickAt | Where-Object { $_ -gt $shown.At + 1000 -and $_ -lt $shown.At + 3000 }).Count'
            $row = @(Get-Screen $session | Where-Object { $_ -match '^idle:\d+ ticks:\d+$' })[-1]
            $row | Should -Match '^idle:[1-9]\d* ticks:[1-9]\d*$'
        }
    }
}

# Dot-sourced by the tmux console tests (after common.ps1): pwsh in a detached tmux session, driven with
# send-keys and read with capture-pane. Every wait polls the screen with a deadline.

# Every tmux call of these tests goes to a server of their own (-L): other users of the default server (other
# test runs on the machine) neither see these sessions nor end them.
$script:TmuxCommand = Get-Command tmux -CommandType Application | Select-Object -First 1
function tmux { & $script:TmuxCommand -L "psthreading-tests-$PID" @args }

# The screen and its scrollback as lines, wrapped lines joined.
function Get-Screen([string] $Session) { @(tmux capture-pane -p -J -S - -t $Session) }

# Polls the screen (bounded) until the condition on its lines holds; returns those lines.
function Wait-Screen([string] $Session, [scriptblock] $Condition, [double] $Seconds = 30) {
    $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
    while ($true) {
        $lines = Get-Screen $Session
        if (& $Condition $lines) { return $lines }
        if ([datetime]::UtcNow -gt $deadline) {
            throw "Timed out waiting for the screen: $Condition`n$($lines -join "`n")"
        }
        Start-Sleep -Milliseconds 100
    }
}

function Get-PromptCount([string[]] $Lines, [string] $Pattern = 'PS *>*') { @($Lines | Where-Object { $_ -like $Pattern }).Count }

# Types a command line and waits for the prompt after it.
function Send-Line([string] $Session, [string] $Line, [string] $PromptPattern = 'PS *>*') {
    $prompts = Get-PromptCount (Get-Screen $Session) $PromptPattern
    tmux send-keys -t $Session -l $Line
    tmux send-keys -t $Session Enter
    $null = Wait-Screen $Session { param($l) (Get-PromptCount $l $PromptPattern) -gt $prompts }
}

# A pwsh with the module imported, at its prompt, in a new tmux session of the given size; returns the session.
function Start-TmuxPwsh([int] $Width = 80, [int] $Height = 24) {
    $session = "psthreading-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    # A new session right after the last one ended can meet the server on its way out ("server exited
    # unexpectedly", 4 in 30 tries here): tried again, bounded.
    for ($try = 1; $true; $try++) {
        $err = tmux new-session -d -s $session -x $Width -y $Height "'$PwshPath' -NoProfile -NoLogo" 2>&1
        tmux has-session -t $session 2>$null
        if ($LASTEXITCODE -eq 0) { break }
        if ($try -ge 10) { throw "tmux did not start a session: $err" }
        Start-Sleep -Milliseconds 300
    }
    # pwsh's first start on a loaded machine: a generous bound.
    $null = Wait-Screen $session { param($l) (Get-PromptCount $l) -ge 1 } -Seconds 90
    # No inline suggestions (they would draw over what is typed) and no history written to the user's file.
    Send-Line $session "Set-PSReadLineOption -PredictionSource None -HistorySaveStyle SaveNothing; Import-Module '$ModuleManifest'"
    $session
}

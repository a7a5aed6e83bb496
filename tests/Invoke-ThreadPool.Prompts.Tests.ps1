BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# A pool item that prompts (Read-Host, -Confirm) is asked by the Invoke-ThreadPool call that runs it, on the
# caller's thread: its worker shows Blocked meanwhile, and keys never go to two readers at once.
Describe 'Invoke-ThreadPool prompts' {
    AfterEach {
        Stop-LeftoverWorker
    }

    It 'asks an item''s Read-Host on the caller''s thread and hands each item its answer' {
        # The child's console input is a file: the call's Read-Host reads the answers from it.
        $child = Invoke-ChildPwshWithInput -InputLine 'ann', 'bob' -Script '1..2 | Invoke-ThreadPool { $name = Read-Host "name$_"; "got:${_}:$name" } -ThrottleLimit 1'
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'got:1:ann'
        $child.Output | Should -Contain 'got:2:bob'
    }

    It 'shows the item''s worker Blocked while its prompt waits for the call''s thread' {
        $seen = [hashtable]::Synchronized(@{})
        $watcher = Start-WorkerThread -ArgumentList $seen {
            param($seen)
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ([datetime]::UtcNow -lt $deadline -and -not $seen.Blocked) {
                if (Get-ActiveThread | Where-Object { $_.Kind -eq 'PoolWorker' -and $_.State -eq 'Blocked' }) { $seen.Blocked = $true }
                Start-Sleep -Milliseconds 20
            }
        }
        # The call's thread is busy downstream (the slow ForEach-Object) while the second item prompts: it waits, Blocked.
        $errors = $null
        $out = 1..2 | Invoke-ThreadPool { if ($_ -eq 2) { Read-Host 'name' } else { 'first' } } -ThrottleLimit 1 -ErrorVariable errors -ErrorAction SilentlyContinue |
            ForEach-Object { $deadline = [datetime]::UtcNow.AddSeconds(20); while (-not $seen.Blocked -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }; $_ }
        Wait-WorkerThread $watcher -Timeout 30
        $seen.Blocked | Should -BeTrue
        $out | Should -Contain 'first'
    }
}

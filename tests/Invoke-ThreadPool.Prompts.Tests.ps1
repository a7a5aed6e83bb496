BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# A pool item that prompts (Read-Host, -Confirm) is asked by the Invoke-ThreadPool call that runs it, on the
# caller's thread: its worker shows Blocked meanwhile, and keys never go to two readers at once.
Describe 'Invoke-ThreadPool prompts' {
    AfterEach {
        Stop-LeftoverWorker
    }

    It 'asks an item''s Read-Host on the caller''s thread and hands each item its answer' {
        # A child pwsh whose console input is a file: the call's Read-Host reads the answers from it.
        $script = Join-Path ([IO.Path]::GetTempPath()) "psthreading-poolprompt-$([guid]::NewGuid().ToString('n')).ps1"
        @"
Import-Module '$ModuleManifest'
1..2 | Invoke-ThreadPool { `$name = Read-Host "name`$_"; "got:`${_}:`$name" } -ThrottleLimit 1
"@ | Set-Content -Path $script
        'ann', 'bob' | Set-Content -Path "$script.in"
        try {
            $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-File', $script `
                -RedirectStandardInput "$script.in" -RedirectStandardOutput "$script.out" -PassThru -NoNewWindow
            if (-not $process.WaitForExit(60000)) {
                $process.Kill($true)
                throw 'The child pwsh did not exit within 60 s.'
            }
            $output = @(Get-Content "$script.out")
            $process.ExitCode | Should -Be 0
            $output | Should -Contain 'got:1:ann'
            $output | Should -Contain 'got:2:bob'
        }
        finally {
            Remove-Item $script, "$script.in", "$script.out" -ErrorAction Ignore
        }
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

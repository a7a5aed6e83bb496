BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Format views' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    It 'shows threads as a table with name, id, state, daemon, time run and locks, within 80 columns' {
        $lock = New-ThreadLock -Name "format-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $null = $lock.Acquire()
        try {
            $waiter = Start-WorkerThread -Name 'a-rather-long-worker-thread-name' -ArgumentList $lock { param($l) $null = $l.Acquire(5); $l.Release() }
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (-not $waiter.WaitingFor -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $lines = (Get-ActiveThread | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
            $lines[0] | Should -Match '^Name\s+Id\s+State\s+Daemon\s+Time\s+Locks'
            $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
            ($lines | Where-Object { $_ -match '^MainThread' }) | Should -Match ([regex]::Escape($lock.Name))
            ($lines | Where-Object { $_ -match '^a-rather' }) | Should -Match "waiting for $([regex]::Escape($lock.Name))"
        }
        finally {
            $lock.Release()
        }
        $null = $waiter | Wait-WorkerThread -Timeout 10
    }

    It 'shows a finished thread with how long it ran, nowhere "Running", and no wait handle' {
        $thread = Start-WorkerThread { Start-Sleep -Milliseconds 300; 'done' }
        Wait-Until { -not $thread.IsAlive }
        $text = $thread | Out-String -Width 80
        $text | Should -Not -Match 'Running'
        $row = ($text -split "`r?`n" | Where-Object { $_ -match [regex]::Escape($thread.Name) })
        $row | Should -Match 'Completed'
        [double]($row -replace '^.*?(\d+\.\d{3})s.*$', '$1') | Should -BeGreaterOrEqual 0.25
        ($thread | Format-List * | Out-String -Width 200) | Should -Not -Match 'EndedHandle'
        ($thread | Get-Member -Name EndedHandle) | Should -BeNullOrEmpty
        $null = $thread | Wait-WorkerThread
    }

    It 'shows locks and semaphores one to a line with their state and holder' {
        $lock = New-ThreadLock
        $gate = New-ThreadSemaphore -Count 2
        $null = $lock.Acquire()
        try {
            $lines = (@($lock, $gate) | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
            $lines[0] | Should -Match '^Name\s+Kind\s+State\s+Holder'
            $lines.Count | Should -Be 4
            $lines[2] | Should -Match 'locked\s+MainThread'
            $lines[3] | Should -Match '2 of 2 free'
        }
        finally {
            $lock.Release()
        }
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Nothing let through: a semaphore of 3 never has more than 3 of 50 threads inside. The pool's limit is
# tested in Invoke-ThreadPool.Tests.ps1 ('never runs more items at once than -ThrottleLimit', k = 1 and 3).
Describe 'Reliability: a semaphore''s limit' {
    AfterEach { Stop-LeftoverWorker }

    It 'never has more than 3 of 50 threads inside a semaphore of 3' {
        $semaphore = New-ThreadSemaphore -Count 3
        $state = [hashtable]::Synchronized(@{ Inside = 0; Peak = 0; Entered = 0 })
        $threads = 1..50 | ForEach-Object {
            Start-WorkerThread -ArgumentList $semaphore, $state {
                param($semaphore, $state)
                Invoke-WithLock $semaphore {
                    [System.Threading.Monitor]::Enter($state.SyncRoot)
                    try {
                        $state.Inside++
                        $state.Entered++
                        if ($state.Inside -gt $state.Peak) { $state.Peak = $state.Inside }
                    }
                    finally { [System.Threading.Monitor]::Exit($state.SyncRoot) }
                    Start-Sleep -Milliseconds 20
                    [System.Threading.Monitor]::Enter($state.SyncRoot)
                    try { $state.Inside-- } finally { [System.Threading.Monitor]::Exit($state.SyncRoot) }
                }
            }
        }
        $null = $threads | Wait-WorkerThread -Timeout 120
        Write-Host "    figures: 50 threads through a semaphore of 3, at most $($state.Peak) inside at once"
        @($threads | Where-Object State -NE 'Completed') | Should -BeNullOrEmpty
        $state.Entered | Should -Be 50
        $state.Peak | Should -BeLessOrEqual 3
        $state.Peak | Should -BeGreaterOrEqual 2
        $semaphore.CurrentCount | Should -Be 3
    }
}

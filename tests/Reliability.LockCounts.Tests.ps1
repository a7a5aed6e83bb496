BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Not marked for the Stress task: this file repeats its own run 20 times, and 20 x 20 runs would take 10 minutes.

# Nothing lost: 8 workers x 2,000 Invoke-WithLock increments of a plain hashtable give an exact total, in each
# of 20 repeats. (Invoke-WithLock.Tests.ps1 has the 4 x 500 version, and the xunit suite proves that the same
# loop without the lock does lose updates, so a loss would be seen.)
Describe 'Reliability: exact counts under a lock' {
    AfterEach { Stop-LeftoverWorker }

    It 'counts 8 workers x 2,000 increments of a plain hashtable exactly, 20 times in a row' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $totals = foreach ($repeat in 1..20) {
            $counter = @{ n = 0 }
            $lock = New-ThreadLock
            $workers = 1..8 | ForEach-Object {
                Start-WorkerThread -ArgumentList $lock, $counter {
                    param($lock, $counter)
                    for ($i = 0; $i -lt 2000; $i++) { Invoke-WithLock $lock { $counter.n++ } }
                }
            }
            $null = $workers | Wait-WorkerThread -Timeout 120
            if (@($workers | Where-Object State -NE 'Completed')) { throw "repeat ${repeat}: a worker did not complete" }
            $counter.n
        }
        Write-Host ("    figures: 20 repeats of 8 x 2,000 locked increments in {0:N1} s; totals {1}" -f `
            $clock.Elapsed.TotalSeconds, (($totals | Sort-Object -Unique) -join ', '))
        $totals.Count | Should -Be 20
        $totals | Sort-Object -Unique | Should -Be 16000
    }
}

# A pool of 4 workers squares numbers: Python's ThreadPoolExecutor(max_workers=4), as one cmdlet.
# No threads to create, start or join by hand: the pool starts its workers, hands each one numbers, and
# is gone (its workers ended, their runspaces kept warm for the next call) once the last result is out.
Import-Module PSThreading

# The task each worker runs, written as a plain function: the number to square arrives as $_.
function Get-Square {
    $worker = (Get-ActiveThread -Current).Name
    Write-Host "  $worker squares $_"
    Start-Sleep -Milliseconds 200
    $_ * $_
}

Write-Host 'Main: four numbers for a pool of at most 4 workers; results come as each one finishes.'
$clock = [Diagnostics.Stopwatch]::StartNew()
$finished = 2, 3, 4, 5 | Invoke-ThreadPool ${function:Get-Square} -ThrottleLimit 4
Write-Host ("Main: squares in the order they finished: {0} (all four in {1:n1} s, not 0.8 s one after another)" -f
    ($finished -join ', '), $clock.Elapsed.TotalSeconds)

# Python's executor.map(): the same work, with the results in the order the numbers were given.
$inOrder = 2, 3, 4, 5 | Invoke-ThreadPool ${function:Get-Square} -ThrottleLimit 4 -Ordered
Write-Host "Main: squares in input order: $($inOrder -join ', ')"
Write-Host "Main: threads alive now that the pool is done: $((Get-ActiveThread).Name -join ', ')"

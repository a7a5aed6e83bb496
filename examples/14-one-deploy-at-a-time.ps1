# A lock held across processes: two runs of a deploy script never overlap. This script holds the
# machine lock and starts a second pwsh that tries to take it too, as a second run of a deploy would.
Import-Module PSThreading

$name = "deploy-web-$PID"   # a deploy script would use a fixed name, such as 'deploy-web'
Invoke-WithLock -Name $name -Scope Machine {
    Write-Host "Main: deploying, holding machine lock '$name'"

    # The second run: PSThreading is found the way this process found it.
    $module = (Get-Module PSThreading).Path
    $second = "Import-Module '$module'; try { Invoke-WithLock -Name '$name' -Scope Machine -Timeout 0 { } } " +
        "catch { Write-Host ""  second run refused: `$(`$_.Exception.Message)"" }"
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $second
}
Write-Host 'Main: deploy finished; the lock is free for the next run.'

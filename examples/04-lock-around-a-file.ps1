# A lock around a shared resource: two threads read the same file into one shared buffer, one at a time.
Import-Module PSThreading

$file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-sample-$PID.txt"
Set-Content -Path $file -Value 'Line one of the sample file.', 'Line two of the sample file.'

# Both threads append to this one StringBuilder: it is shared by reference, so it needs a guard.
$buffer = [System.Text.StringBuilder]::new()
$fileLock = New-ThreadLock

$reader = {
    param($Path, $Buffer, $Lock)
    $me = (Get-ActiveThread -Current).Name
    Invoke-WithLock $Lock {
        Write-Host "  $me has the lock and reads the file"
        foreach ($line in Get-Content -Path $Path) {
            $null = $Buffer.AppendLine("[$me] $line")
            Start-Sleep -Milliseconds 50   # another reader would interleave here without the lock
        }
        Write-Host "  $me is done and lets go of the lock"
    }
}

Write-Host 'Main: two threads read the file; the lock lets in one at a time.'
$readers = 1..2 | ForEach-Object { Start-WorkerThread $reader -ArgumentList $file, $buffer, $fileLock -Name "reader-$_" }
$readers | Wait-WorkerThread
Remove-Item $file

Write-Host 'Main: what the threads read, each file whole and in order:'
Write-Host $buffer.ToString().TrimEnd()

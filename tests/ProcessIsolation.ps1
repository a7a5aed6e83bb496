# Dot-sourced by the -Isolation Process test files.

# True while the process runs. A killed process stays a zombie until reaped; one whose caller was killed is
# reaped by init, which in a container may never do it: either way it no longer runs.
function Test-ProcessRuns([int] $Id) {
    $process = Get-Process -Id $Id -ErrorAction Ignore
    if (-not $process) { return $false }
    $stat = "/proc/$Id/stat"
    -not ((Test-Path $stat) -and ((Get-Content $stat -Raw) -replace '^.*\) ', '').StartsWith('Z'))
}

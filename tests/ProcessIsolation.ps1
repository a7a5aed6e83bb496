# Dot-sourced by the -Isolation Process test files.

# True while the process runs. A killed process stays a zombie until reaped; one whose caller was killed is
# reaped by init, which in a container may never do it: either way it no longer runs.
function Test-ProcessRuns([int] $Id) {
    $process = Get-Process -Id $Id -ErrorAction Ignore
    if (-not $process) { return $false }
    $stat = "/proc/$Id/stat"
    if (-not (Test-Path $stat)) { return $true }
    # Read in one call: the process may end between a check and a read (a read failing then means it ended).
    try { $text = [IO.File]::ReadAllText($stat) } catch { return $false }
    -not ([string]($text -replace '^.*\) ', '')).StartsWith('Z')
}

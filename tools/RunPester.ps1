# Runs Pester in its own process against the built module and writes the counts as JSON.
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [Parameter(Mandatory)] [string] $TestPath
)
# No script-wide ErrorActionPreference here: tests inherit this scope, and workers inherit the tests' preferences.
Import-Module $PesterManifest -Force -ErrorAction Stop
$config = New-PesterConfiguration
$config.Run.Path = $TestPath -split [IO.Path]::PathSeparator
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$result = Invoke-Pester -Configuration $config
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
# The failures' names and first error lines go with the counts, so the last lines of a CI log say what failed.
$failures = @(
    foreach ($test in $result.Failed) {
        $why = if ($test.ErrorRecord) { "$($test.ErrorRecord[0])".Split("`n")[0] } else { '' }
        "$($test.ExpandedPath): $why"
    }
    foreach ($block in @($result.FailedBlocks) + @($result.FailedContainers)) {
        if ($block) { "$($block.Name) (setup or discovery failed)" }
    }
)
# Each file's time, slowest first, so the CI's 20 minutes can be kept in view.
$durations = @($result.Containers | Sort-Object Duration -Descending | ForEach-Object {
    [pscustomobject]@{ File = [IO.Path]::GetFileName("$($_.Item)"); Seconds = [math]::Round($_.Duration.TotalSeconds, 1) }
})
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount; Failures = $failures; Durations = $durations } |
    ConvertTo-Json | Set-Content $SummaryPath
exit ([int]($failed -gt 0))

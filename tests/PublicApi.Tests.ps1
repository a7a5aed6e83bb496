BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1'); . (Join-Path $PSScriptRoot 'PublicApi.ps1') }

# What user code can reach is the documented API: the cmdlets, the thread, lock and semaphore objects and the
# exceptions users catch. Anything else public would let a script reach the module's insides (forge a thread's
# results, take pool items), so a new public type or member must be a conscious choice, written into the list.

Describe 'Public API' {
    It 'lists exactly the public types and members of tests/PublicApi.txt' {
        $module = Get-Module PSThreading
        $assemblies = $module.ImplementingAssembly, [PSThreading.Core.Threads.WorkerThread].Assembly
        $actual = @(Get-PublicApiLine $assemblies | Sort-Object -Culture ([cultureinfo]::InvariantCulture))
        $listFile = Join-Path $PSScriptRoot 'PublicApi.txt'
        $expected = @(Get-Content $listFile | Where-Object { $_ -and -not $_.StartsWith('#') })
        $added = @($actual | Where-Object { $_ -cnotin $expected })
        $removed = @($expected | Where-Object { $_ -cnotin $actual })
        $because = "the public API changed (+ public but not in the list, - in the list but no longer public):`n" +
            (@($added | ForEach-Object { "  + $_" }) + @($removed | ForEach-Object { "  - $_" }) -join "`n") +
            "`nIf the change is intended, make it part of the documented API and update $listFile; otherwise make it internal."
        ($added.Count + $removed.Count) | Should -Be 0 -Because $because
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

Describe 'Invoke-ThreadPool messages count as a person does' {
    It 'names the fifth item #5 in its -ItemTimeout error' {
        $null = 'srv001', 'srv002', 'srv003', 'srv004', 'srv005' |
            Invoke-ThreadPool { if ($_ -eq 'srv005') { Start-Sleep -Seconds 20 } } -ItemTimeout 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Match ([regex]::Escape("Item 'srv005' (#5)"))
    }

    It 'says that -Timeout 0 gave the call no time, not "0 of at least 1 items"' {
        $null = 1..3 | Invoke-ThreadPool { Start-Sleep -Seconds 1; $_ } -Timeout 0 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PoolTimeout,*'
        $errs[0].Exception.Message | Should -Not -Match 'at least'
        $errs[0].Exception.Message | Should -Match '-Timeout 0'
    }
}

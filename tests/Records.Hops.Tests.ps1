BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Records survive every hop and keep their ids (issue 21)' {
    AfterEach { Stop-LeftoverWorker }

    It 'keeps a pool item''s Write-Error id exactly, as ForEach-Object -Parallel does' {
        $errors = $null
        1 | Invoke-ThreadPool { Write-Error 'boom' } -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'Microsoft.PowerShell.Commands.WriteErrorException'
        $errors[0].TargetObject | Should -BeNullOrEmpty
    }

    It 'keeps a thrown item error''s id exactly, its target the item' {
        $errors = $null
        'srv1' | Invoke-ThreadPool { throw 'item broke' } -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'item broke'
        $errors[0].TargetObject | Should -Be 'srv1'
    }

    It 'keeps a cmdlet''s error id and command in a pool item' {
        $errors = $null
        1 | Invoke-ThreadPool { Get-Item -LiteralPath '/no/such/psthreading/path' } -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand'
        $errors[0].InvocationInfo.MyCommand.Name | Should -Be 'Get-Item'
    }

    It 'points a pool error at the line in the block that failed, in the caller''s file' {
        $errors = $null
        1 | Invoke-ThreadPool {
            $null = 1
            throw 'second line'
        } -ErrorVariable errors -ErrorAction SilentlyContinue
        $throwLine = (Select-String -LiteralPath $PSCommandPath -Pattern "^\s+throw 'second line'$").LineNumber
        $errors[0].InvocationInfo.ScriptName | Should -Be $PSCommandPath
        $errors[0].InvocationInfo.ScriptLineNumber | Should -Be $throwLine
        $errors[0].InvocationInfo.PositionMessage | Should -Match ([regex]::Escape("throw 'second line'"))

        $written = $null
        1 | Invoke-ThreadPool {
            $null = 1
            Write-Error 'written here'
        } -ErrorVariable written -ErrorAction SilentlyContinue
        $writeLine = (Select-String -LiteralPath $PSCommandPath -Pattern "^\s+Write-Error 'written here'$").LineNumber
        $written[0].InvocationInfo.ScriptLineNumber | Should -Be $writeLine
        $written[0].InvocationInfo.PositionMessage | Should -Not -Match '__Pool'
    }

    It 'brings a verbose record written with -Verbose at its source through a pool inside a worker' {
        $out = @(Start-WorkerThread { 1..1 | Invoke-ThreadPool { Write-Verbose 'V' -Verbose } } | Wait-WorkerThread -Timeout 30 -Verbose 4>&1)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType System.Management.Automation.VerboseRecord
        $out[0].Message | Should -Be 'V'
    }

    It 'brings a debug record written with -Debug at its source through a pool inside a worker' {
        $out = @(Start-WorkerThread { 1..1 | Invoke-ThreadPool { Write-Debug 'D' -Debug } } | Wait-WorkerThread -Timeout 30 5>&1)
        $out.Count | Should -Be 1
        $out[0].Message | Should -Be 'D'
    }

    It 'writes a pool item''s -Verbose record in its place in the merged order' {
        $out = @(1 | Invoke-ThreadPool { 'a'; Write-Error 'b'; 'c'; Write-Information 'd'; 'e'; Write-Verbose 'f' -Verbose; 'g' } *>&1 | ForEach-Object { "$_" })
        $out -join '' | Should -Be 'abcdefg'
    }

    It 'keeps the written order under *>&1 in every run, for workers and pools' {
        $expected = (1..10 | ForEach-Object { "o$_"; "e$_"; "w$_" }) -join ','
        foreach ($run in 1..10) {
            $fromWorker = Start-WorkerThread { foreach ($i in 1..10) { "o$i"; Write-Error "e$i"; Write-Warning "w$i" } } |
                Wait-WorkerThread -Timeout 30 *>&1 | ForEach-Object { "$_" -replace '^\[[^\]]+\] ', '' }
            ($fromWorker -join ',') | Should -Be $expected
            $fromPool = 1 | Invoke-ThreadPool { foreach ($i in 1..10) { "o$i"; Write-Error "e$i"; Write-Warning "w$i" } } *>&1 |
                ForEach-Object { "$_" }
            ($fromPool -join ',') | Should -Be $expected
        }
    }

    It 'shows a worker''s Write-Information once under the caller''s InformationPreference Continue' {
        $child = Invoke-ChildPwsh -Script @'
$InformationPreference = 'Continue'
Start-WorkerThread { Write-Information 'INFO-ONCE' } | Wait-WorkerThread -Timeout 30
Start-WorkerThread { Write-Host 'HOST-ONCE' } | Wait-WorkerThread -Timeout 30
'@
        $child.ExitCode | Should -Be 0
        @($child.Output | Where-Object { $_ -match 'INFO-ONCE' }).Count | Should -Be 1
        @($child.Output | Where-Object { $_ -match 'HOST-ONCE' }).Count | Should -Be 1
    }

    It 'gives Out-Host and Out-Default text of a -HoldHostOutput worker to the join (6>&1)' {
        $out = @(Start-WorkerThread -HoldHostOutput { 'to host' | Out-Host; 'to default' | Out-Default } | Wait-WorkerThread -Timeout 30 6>&1 | ForEach-Object { "$_" })
        $out | Should -Contain 'to host'
        $out | Should -Contain 'to default'
    }

    It 'brings Out-Host text of pool items back once, plain and -AsJob' {
        $plain = @(1..3 | Invoke-ThreadPool { "line $_" | Out-Host } 6>&1 | ForEach-Object { "$_" })
        ($plain | Sort-Object) -join ',' | Should -Be 'line 1,line 2,line 3'
        $job = @(1..3 | Invoke-ThreadPool -AsJob { "job line $_" | Out-Host } | Wait-WorkerThread -Timeout 30 6>&1 | ForEach-Object { "$_" })
        ($job | Sort-Object) -join ',' | Should -Be 'job line 1,job line 2,job line 3'
    }

    It 'shows pool items'' Out-Host text at the console once' {
        $child = Invoke-ChildPwsh -Script @'
1..3 | Invoke-ThreadPool { "OUTHOST $_" | Out-Host }
'@
        $child.ExitCode | Should -Be 0
        @($child.Output | Where-Object { $_ -match '^OUTHOST \d$' }).Count | Should -Be 3
    }
}

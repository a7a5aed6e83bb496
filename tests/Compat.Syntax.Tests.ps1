BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# The module loads in Windows PowerShell 5.1 too; only the CI legs on PowerShell 7 run today. Tests and examples
# of shared behaviour keep to syntax 5.1 parses (and reads the same way), so a 5.1 leg can run them unchanged.
# A file that tests a PowerShell-7-only feature is allowed its syntax here, with the reason.
BeforeDiscovery {
    $script:AllowedPwsh7Syntax = @{
        # 'Some.Tests.ps1' = 'compares against ForEach-Object -Parallel, which 5.1 does not have'
    }
    $root = Split-Path $PSScriptRoot -Parent
    $script:ScriptFiles = @(Get-ChildItem (Join-Path $root 'tests'), (Join-Path $root 'examples') -Filter '*.ps1' |
        Sort-Object Name | ForEach-Object {
            @{ Name = '{0}/{1}' -f $_.Directory.Name, $_.Name; Path = $_.FullName; Allowed = $AllowedPwsh7Syntax.ContainsKey($_.Name) }
        })
    $script:AllowedFiles = @($AllowedPwsh7Syntax.Keys | ForEach-Object { @{ Name = $_; Path = Join-Path $root "tests/$_" } })
}

BeforeAll {
    # Compared by type and member name, not type literal: this file must itself load where those types are missing.
    function Find-Pwsh7Ast([System.Management.Automation.Language.Ast] $Ast) {
        $Ast.FindAll({
                param($node)
                $type = $node.GetType().Name
                $property = $node.PSObject.Properties
                if ($type -eq 'TernaryExpressionAst') { return $true }                       # $a ? 1 : 2
                if ($type -eq 'PipelineChainAst') { return $true }                           # a && b, a || b
                if ($type -eq 'BinaryExpressionAst' -and "$($node.Operator)" -eq 'QuestionQuestion') { return $true }
                if ($type -eq 'AssignmentStatementAst' -and "$($node.Operator)" -eq 'QuestionQuestionEquals') { return $true }
                if ($property['NullConditional'] -and $node.NullConditional) { return $true } # ${a}?.b, ${a}?[0]
                if ($type -eq 'PipelineAst' -and $property['Background'] -and $node.Background) { return $true } # a &
                if ($type -eq 'ScriptBlockAst' -and $property['CleanBlock'] -and $node.CleanBlock) { return $true }
                if ($property['GenericTypeArguments'] -and $node.GenericTypeArguments) { return $true } # $x.M[int]()
                if ($type -eq 'CommandAst' -and $node.GetCommandName() -in 'ForEach-Object', 'foreach', '%') {
                    return [bool]@($node.CommandElements | Where-Object {
                            $_.GetType().Name -eq 'CommandParameterAst' -and $_.ParameterName -like 'Pa*' })
                }
                $false
            }, $true)
    }

    # Lines of a script's text that use syntax Windows PowerShell 5.1 cannot parse, or reads differently.
    function Find-Pwsh7Syntax([string] $Text, [string] $Source = 'text') {
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
        foreach ($parseError in $errors) {
            '{0}:{1}: does not parse: {2}' -f $Source, $parseError.Extent.StartLineNumber, $parseError.Message
        }
        foreach ($node in Find-Pwsh7Ast $ast) {
            '{0}:{1}: {2}: {3}' -f $Source, $node.Extent.StartLineNumber, $node.GetType().Name, ($node.Extent.Text -split '\r?\n')[0]
        }
        foreach ($token in $tokens) {
            $kind = "$($token.Kind)"
            # 0b101, 1u, 5y, 2s, 1n: literals 5.1 reads as commands or errors.
            if ($kind -eq 'Number' -and $token.Text -match '^(0b[01]+|(0x[0-9a-f]+|[0-9.]+(e[+-]?[0-9]+)?)(u|y|uy|s|us|ul|n)(kb|mb|gb|tb|pb)?)$') {
                '{0}:{1}: numeric literal: {2}' -f $Source, $token.Extent.StartLineNumber, $token.Text
            }
            # "`e" and "`u{...}": 5.1 reads them as the letters, silently.
            if ($kind -in 'StringExpandable', 'HereStringExpandable' -and $token.Text -cmatch '(?<!`)(``)*`(e|u\{)') {
                '{0}:{1}: escape: {2}' -f $Source, $token.Extent.StartLineNumber, ($token.Text -split '\r?\n')[0]
            }
        }
    }
}

Describe 'Syntax Windows PowerShell 5.1 can parse' {
    It '<Name> uses no PowerShell-7-only syntax' -TestCases $ScriptFiles {
        if ($Allowed) {
            Set-ItResult -Skipped -Because 'it is allowed PowerShell-7-only syntax (see $AllowedPwsh7Syntax)'
        }
        Find-Pwsh7Syntax -Text (Get-Content -LiteralPath $Path -Raw) -Source $Name | Should -BeNullOrEmpty
    }

    It 'the allow-list names only files that still need it: <Name>' -TestCases $AllowedFiles {
        Test-Path -LiteralPath $Path | Should -BeTrue
        Find-Pwsh7Syntax -Text (Get-Content -LiteralPath $Path -Raw) | Should -Not -BeNullOrEmpty
    }

    It 'finds <Construct>' -TestCases @(
        @{ Construct = 'a ternary'; Text = '$a = $b ? 1 : 2' }
        @{ Construct = 'null coalescing'; Text = '$a = $b ?? 1' }
        @{ Construct = 'null-coalescing assignment'; Text = '$a ??= 1' }
        @{ Construct = 'a null-conditional member'; Text = '${a}?.Length' }
        @{ Construct = 'a null-conditional index'; Text = '${a}?[0]' }
        @{ Construct = 'a && chain'; Text = 'Get-Item . && Get-Item ..' }
        @{ Construct = 'a || chain'; Text = 'Get-Item . || Get-Item ..' }
        @{ Construct = 'a background pipeline'; Text = 'Start-Sleep 1 &' }
        @{ Construct = 'a clean block'; Text = "function f { process { 1 } clean { 2 } }" }
        @{ Construct = 'a generic method call'; Text = '[Array]::Empty[int]()' }
        @{ Construct = 'ForEach-Object -Parallel'; Text = '1..2 | ForEach-Object -Parallel { $_ }' }
        @{ Construct = 'ForEach-Object -Parallel in a nested block'; Text = '& { 1..2 | % -Pa { $_ } }' }
        @{ Construct = 'a binary literal'; Text = '$a = 0b101' }
        @{ Construct = 'an unsigned literal'; Text = '$a = 10u' }
        @{ Construct = 'a byte literal'; Text = '$a = 5y' }
        @{ Construct = 'a bigint literal'; Text = '$a = 10n' }
        @{ Construct = 'the escape `e'; Text = '$a = "`e[0m"' }
        @{ Construct = 'the escape `u{}'; Text = '$a = "`u{2713}"' }
        @{ Construct = 'text that does not parse'; Text = 'if (' }
    ) {
        Find-Pwsh7Syntax -Text $Text | Should -Not -BeNullOrEmpty
    }

    It 'leaves the plain forms alone' {
        $plain = @'
$a = if ($b) { 1 } else { 2 }
if ($null -eq $a) { $a = 1 }
Get-Item . ; if ($?) { Get-Item .. }
$job = Start-Job { 1 }
[ordered]@{ a = 1 }
$n = 1kb + 0x1f + 10l + 1.5d + 1e3
"`n`t`$e ``e"
'`e is plain in single quotes'
1..2 | ForEach-Object -Process { $_ } | Invoke-ThreadPool -Parallel { $_ }
'@
        Find-Pwsh7Syntax -Text $plain | Should -BeNullOrEmpty
    }
}

# Helpers for Help.Tests.ps1: reading docs/en-US pages and running their examples. Dot-sourced in
# discovery (to build test cases) and in the blocks that run them.

# What a parameter's help must say, taken from the cmdlet's own metadata.
function Get-ExpectedParameterHelp {
    param([System.Management.Automation.ParameterMetadata] $Parameter)
    $sets = @($Parameter.ParameterSets.Values)
    $positions = @($sets | ForEach-Object {
            if ($_.Position -eq [int]::MinValue) { 'named' } else { [string]$_.Position }
        } | Sort-Object -Unique)
    $kinds = @(
        if ($sets.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' }
        if ($sets.ValueFromPipeline -contains $true) { 'ByValue' }
    )
    $mandatory = @($sets.IsMandatory | Sort-Object -Unique)
    $type = $Parameter.ParameterType
    @{
        Name          = $Parameter.Name
        Type          = $type.Name
        TypeNames     = @($type.Name, $type.FullName)
        Positions     = $positions
        Position      = $positions -join ' or '
        PipelineInput = if ($kinds) { $kinds -join ', ' } else { 'False' }
        # A parameter mandatory in one set and optional in another has no single answer to check.
        Required      = if ($mandatory.Count -eq 1) { $mandatory[0] } else { $null }
        IsSwitch      = $type -eq [switch]
    }
}

# 'True (ByValue, ByPropertyName)' as 'ByPropertyName, ByValue': the same order as the expectation.
function ConvertFrom-PipelineInputText {
    param([string] $Text)
    $kinds = @([regex]::Matches($Text, 'ByValue|ByPropertyName') | ForEach-Object Value | Sort-Object -Unique)
    if ($Text -notmatch '^\s*true' -or -not $kinds) { 'False' } else { $kinds -join ', ' }
}

# The command pages: those that name a MAML file in their front matter.
function Get-CommandPage {
    param([string] $DocsFolder)
    Get-ChildItem $DocsFolder -Filter '*-*.md' |
        Where-Object { (Get-Content $_.FullName -TotalCount 10) -match '^external help file:' } |
        Sort-Object Name
}

# The '### Example N: ...' headings of a command page, without the hashes.
function Get-ExampleHeading {
    param([string] $Path)
    Get-Content $Path | Where-Object { $_ -match '^### (Example \d+.*?)\s*$' } | ForEach-Object { $Matches[1] }
}

function Get-DocumentedParameterName {
    param([string] $Path)
    Get-Content $Path | Where-Object { $_ -match '^### -(\w+)\s*$' } | ForEach-Object { $Matches[1] }
}

# The powershell code blocks of a page, each with a title: on a command page those under EXAMPLES
# (titled by their heading), elsewhere every powershell block (titled by the heading above it).
function Get-DocExample {
    param([string] $Path)
    $isCommandPage = (Get-Content $Path -TotalCount 10) -match '^external help file:'
    $section = ''
    $heading = ''
    $code = $null
    $count = @{}
    foreach ($line in Get-Content $Path) {
        if ($null -ne $code) {
            if ($line -match '^```\s*$') {
                if (-not $isCommandPage -or $section -eq 'EXAMPLES') {
                    $count[$heading] = 1 + [int]$count[$heading]
                    $title = if ($count[$heading] -gt 1) { "$heading ($($count[$heading]))" } else { $heading }
                    [pscustomobject]@{ Title = $title; Code = $code -join "`n" }
                }
                $code = $null
            }
            else {
                $code += $line
            }
        }
        elseif ($line -match '^```powershell\s*$') {
            $code = @()
        }
        elseif ($line -match '^## (.+)$') {
            $section = $Matches[1].Trim()
            $heading = $section
        }
        elseif ($line -match '^### (.+)$') {
            $heading = $Matches[1].Trim()
        }
    }
}

function Get-CommandName {
    param([string] $Code)
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$null)
    $defined = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true).Name)
    # Also functions an example writes into a file it imports, and a call marked as failing on purpose.
    $defined += [regex]::Matches($Code, '\bfunction\s+([\w-]+)') | ForEach-Object { $_.Groups[1].Value }
    $onPurpose = [regex]::Matches($Code, '(?m)^\s*([\w-]+).*#.*no such command') | ForEach-Object { $_.Groups[1].Value }
    $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true) |
        ForEach-Object { $_.GetCommandName() } | Where-Object { $_ -and $_ -notin $defined -and $_ -notin $onPurpose } | Sort-Object -Unique
}

# Runs an example in a fresh runspace of this process, as a user would paste it at a new prompt, with
# a bounded wait: an example that hangs fails instead of hanging the run.
function Invoke-DocExample {
    param([string] $Code, [string] $ModuleManifest, [int] $TimeoutSeconds = 30)
    $runspace = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
    $runspace.Open()
    $shell = [powershell]::Create($runspace)
    try {
        $null = $shell.AddScript("Import-Module '$ModuleManifest'").AddStatement().AddScript($Code)
        $pending = $shell.BeginInvoke()
        if (-not $pending.AsyncWaitHandle.WaitOne($TimeoutSeconds * 1000)) {
            $shell.Stop()
            throw "The example did not finish within $TimeoutSeconds s."
        }
        $output = $shell.EndInvoke($pending)
        [pscustomobject]@{
            Output = @($output)
            Errors = @($shell.Streams.Error | ForEach-Object { "$_ ($($_.FullyQualifiedErrorId))" })
        }
    }
    catch [System.Management.Automation.MethodInvocationException] {
        # EndInvoke rethrows a terminating error of the example: report it as the example's error.
        [pscustomobject]@{ Output = @(); Errors = @($_.Exception.InnerException.Message) }
    }
    finally {
        $shell.Dispose()
        $runspace.Dispose()
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# Keeps docs/en-US and the built help in step with the cmdlets. Written over the module's exported
# cmdlets, so a cmdlet added later is held to the same rules without touching this file.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'HelpDocs.ps1')

    $docsFolder = Join-Path $RepoRoot 'docs/en-US'
    $exported = @((Get-Module PSThreading).ExportedCmdlets.Keys | Sort-Object)

    $cmdletCases = foreach ($name in $exported) {
        $command = Get-Command $name
        $parameters = foreach ($parameter in $command.Parameters.Values) {
            if ($parameter.Name -in [System.Management.Automation.Cmdlet]::CommonParameters) {
                continue
            }
            # Hidden (DontShow): not part of the documented interface, only there to explain a mistake.
            if ($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }) {
                continue
            }
            Get-ExpectedParameterHelp -Parameter $parameter
        }
        @{ Name = $name; Page = Join-Path $docsFolder "$name.md"; Parameters = @($parameters) }
    }

    # Every command page, exported or not: a page for a cmdlet the module does not export fails.
    $pageCases = foreach ($page in Get-CommandPage -DocsFolder $docsFolder) {
        @{ Name = $page.BaseName; PagePath = $page.FullName; Exported = $page.BaseName -in $exported }
    }

    # An example that calls a command this session cannot find is skipped (a user's own script, such as
    # ./restart-services.ps1), unless the name is one of this module's (a *Thread* noun): that one fails.
    $exampleCases = foreach ($page in Get-ChildItem $docsFolder -Filter '*.md' | Sort-Object Name) {
        foreach ($example in Get-DocExample -Path $page.FullName) {
            $missing = @(Get-CommandName -Code $example.Code | Where-Object { -not (Get-Command $_ -ErrorAction Ignore) })
            @{ Page = $page.Name; Title = $example.Title; Code = $example.Code; Missing = $missing }
        }
    }
}

Describe 'Help for <Name>' -ForEach $cmdletCases {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'HelpDocs.ps1')
        $help = Get-Help $Name -Full
        $fullText = $help | Out-String -Width 250
        $consoleLines = ($help | Out-String -Width 80) -split '\r?\n' | ForEach-Object TrimEnd
    }

    It 'has a page in docs/en-US' {
        $Page | Should -Exist
    }

    It 'has a synopsis and a description from the page, not the generated stand-in' {
        # Without MAML, Get-Help makes up a synopsis from the syntax and leaves the description empty.
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s"
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'documents -<Name> with type <Type>, position <Position> and pipeline input <PipelineInput>' -ForEach $Parameters {
        $documented = @($help.parameters.parameter) | Where-Object name -EQ $Name
        $documented | Should -Not -BeNullOrEmpty -Because "-$Name needs a '### -$Name' section in its page"
        $documented.type.name | Should -BeIn $TypeNames
        $documented.position | Should -BeIn $Positions
        ConvertFrom-PipelineInputText $documented.pipelineInput | Should -Be $PipelineInput
        if ($null -ne $Required) {
            $documented.required | Should -Be ([string]$Required).ToLowerInvariant()
        }
    }

    It 'renders every example title whole on one line of an 80-column console' {
        # Get-Help centres the title between dashes; a title too long pushes the closing dashes onto a
        # line of their own.
        foreach ($title in @($help.examples.example).title) {
            $consoleLines | Should -Contain "    $($title.Trim())" -Because "'$($title.Trim(' -'))' must fit 80 columns"
        }
    }

    It 'documents no parameter that the cmdlet lacks' {
        $documented = Get-DocumentedParameterName -Path $Page
        $actual = (Get-Command $Name).Parameters.Keys
        $documented | Where-Object { $_ -notin $actual } | Should -BeNullOrEmpty
    }

    It 'shows every parameter in Get-Help -Full' {
        foreach ($parameter in $Parameters) {
            $placeholder = if ($parameter.IsSwitch) { '\[<SwitchParameter>\]' } else { "<$([regex]::Escape($parameter.TypeNames[0]))>" }
            $fullText | Should -Match "(?m)^\s+-$($parameter.Name) $placeholder"
        }
        $fullText | Should -Match 'Accept pipeline input\?'
    }
}

Describe 'Command page <Name>.md' -ForEach $pageCases {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'HelpDocs.ps1')
    }

    It 'has example titles short enough for an 80-column console' {
        # 4 of indent, 2 dashes and a space either side: longer titles spill out of the rendered line.
        $long = @(Get-ExampleHeading -Path $PagePath | Where-Object Length -GT 70)
        $long | Should -BeNullOrEmpty -Because 'an example title over 70 characters does not fit 80 columns in Get-Help'
    }

    It 'documents an exported cmdlet' {
        $Exported | Should -BeTrue -Because "$Name.md documents a cmdlet that the module does not export: export it, or remove the page"
    }
}

Describe 'about_PSThreading' {
    BeforeAll {
        $about = Get-Help about_PSThreading
        $text = $about | Out-String
    }

    It 'is found by Get-Help' {
        $text | Should -Match '(?m)^TOPIC\s+about_PSThreading'
        $text | Should -Match 'LONG DESCRIPTION'
    }

    It 'covers <_>' -ForEach @('Threads and runspaces', 'What threads share', '\$using:', 'loses updates',
        'Daemon threads', 'Ctrl\+C', 'threading\.enumerate\(\)', 'ThreadPoolExecutor') {
        $text | Should -Match $_
    }

    It 'fits an 80-column console' {
        $wide = ($text -split '\r?\n') | Where-Object Length -GT 80
        $wide | Should -BeNullOrEmpty
    }
}

Describe 'The module page' {
    It 'lists every exported cmdlet' {
        $page = Get-Content (Join-Path $RepoRoot 'docs/en-US/PSThreading.md') -Raw
        foreach ($name in (Get-Module PSThreading).ExportedCmdlets.Keys) {
            $page | Should -Match "\[$name\]\($name\.md\)"
        }
    }
}

Describe 'Example in <Page>: <Title>' -ForEach $exampleCases {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'HelpDocs.ps1')
    }

    AfterAll {
        # An example that failed half-way may leave a thread running: it must not outlive the test.
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    It 'runs without error against the built module' {
        $ownMissing = @($Missing | Where-Object { $_ -match '^[A-Za-z]+-\w*Thread\w*$' })
        $ownMissing | Should -BeNullOrEmpty -Because 'the example calls a command of this module that it does not export'
        if ($Missing) {
            Set-ItResult -Skipped -Because "it calls $($Missing -join ', '), which is not a command here"
            return
        }
        $result = Invoke-DocExample -Code $Code -ModuleManifest $ModuleManifest -TimeoutSeconds 30
        $result.Errors | Should -BeNullOrEmpty
    }

    It 'fits an 80-column console without being broken by Get-Help' {
        # Get-Help indents example code by 4 and cuts lines at the console's edge, mid-word.
        $Code -split '\r?\n' | Where-Object Length -GT 76 | Should -BeNullOrEmpty
    }
}

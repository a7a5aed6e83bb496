BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # The first powershell block after the line that matches $After in a markdown file: the demo as printed.
    function Get-DocBlock([string] $Path, [string] $After) {
        $lines = Get-Content $Path
        $start = ($lines | Select-String -Pattern $After | Select-Object -First 1).LineNumber
        $open = $start + [array]::IndexOf($lines[$start..($lines.Count - 1)], '```powershell')
        $close = $open + 1 + [array]::IndexOf($lines[($open + 1)..($lines.Count - 1)], '```')
        $lines[($open + 1)..($close - 1)] -join "`n"
    }
}
# Concurrency

Describe 'The lock-free demo loses updates (teaching the right lesson)' {
    # On a quiet machine every run loses updates; under heavy load (CI beside other work on 2 cores) the four
    # threads can run one after another and a run may lose none, so 2 of 3 is the bound.
    It '<Doc> block loses updates in at least 2 runs of 3' -TestCases @(
        @{ Doc = 'about_PSThreading'; Path = 'docs/en-US/about_PSThreading.md'; After = '^### Locks, and why a plain hashtable loses updates' }
        @{ Doc = 'README'; Path = 'README.md'; After = '^\*\*A lock around shared state\*\*' }
    ) {
        param($Doc, $Path, $After)
        $block = Get-DocBlock -Path (Join-Path $RepoRoot $Path) -After $After
        $block | Should -Match 'without a lock'
        $lost = 0
        foreach ($run in 1..3) {
            $said = & ([scriptblock]::Create($block))
            "$said" -match 'without a lock: (\d+) of (\d+)' | Should -BeTrue -Because "the demo prints its count ($said)"
            if ([int]$Matches[1] -lt [int]$Matches[2]) { $lost++ }
        }
        $lost | Should -BeGreaterOrEqual 2 -Because "the $Doc demo must lose updates (it lost some in $lost runs of 3)"
    }
}

Describe 'Help examples leave nothing in the temporary folder' {
    It 'Start-WorkerThread example 7 (a module file of the caller) removes the file and folder it made' {
        . (Join-Path $PSScriptRoot 'HelpDocs.ps1')
        $example = Get-DocExample -Path (Join-Path $RepoRoot 'docs/en-US/Start-WorkerThread.md') | Where-Object Title -Like 'Example 7*'
        $example | Should -Not -BeNullOrEmpty
        $started = [datetime]::Now.AddSeconds(-1)
        $run = Invoke-DocExample -Code $example.Code -ModuleManifest $ModuleManifest
        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -Be 'hello worker', 42
        $left = @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'MyTools*' -ErrorAction Ignore | Where-Object LastWriteTime -GE $started)
        $left | Should -BeNullOrEmpty
    }
}

Describe 'What a newcomer needs is written down' {
    BeforeAll {
        $script:Readme = Get-Content (Join-Path $RepoRoot 'README.md') -Raw
    }

    It 'README says how to load Pester from the restored package, at the version the build restores' {
        $version = (Select-String -Path (Join-Path $RepoRoot 'tools/BuildTasks.ps1') -Pattern "PesterVersion = '([\d.]+)'").Matches[0].Groups[1].Value
        $Readme | Should -Match ([regex]::Escape("pester/$version/tools/Pester.psd1"))
    }

    It 'README says that code inside a module needs $global:PSThreadingMode' {
        $Readme | Should -Match ([regex]::Escape("`$global:PSThreadingMode = 'Inline'"))
    }

    It 'README says that -OutVariable keeps a pool''s partial results after Ctrl+C' {
        $Readme | Should -Match '(?s)Ctrl\+C.{0,300}-OutVariable'
    }

    It "build.ps1's help lists every task it accepts, Package included" {
        # What a user runs: Get-Help showed only the syntax while #Requires came before the help block.
        $help = Get-Help (Join-Path $RepoRoot 'build.ps1') -Full | Out-String
        $tasks = (Get-Command (Join-Path $RepoRoot 'build.ps1')).Parameters['Task'].Attributes.ValidValues
        $tasks | Should -Contain 'Package'
        foreach ($task in $tasks) { $help | Should -Match "(?m)^\s*$task\s*:" }
    }
}

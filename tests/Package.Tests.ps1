BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# The package a user would install: packed by the build's own Package task, served from a local folder
# repository, installed with Install-PSResource and imported by name in a fresh pwsh.
#
# Install-PSResource has no -Path: it installs into the user's module folder. Every PSResourceGet call
# (packing too) runs in a child pwsh whose HOME and XDG_DATA_HOME point into TestDrive, which on Linux
# and macOS moves both that folder and PSResourceGet's repository list there (PSResourceGet reads
# .NET's LocalApplicationData, pwsh's module path reads XDG_DATA_HOME), so nothing of the real user's
# set-up is read or changed. .NET gives an empty LocalApplicationData when the folder does not exist,
# and PSResourceGet then writes its list into the current folder: so the folder is made first, and
# the child starts in TestDrive.

Describe 'The PSThreading package' -Skip:($IsWindows) {
    BeforeAll {
        $version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
        $repositoryFolder = Join-Path $TestDrive 'repository'
        $dataHome = Join-Path $TestDrive 'data'
        $localAppData = Join-Path $dataHome '.local/share'
        $null = New-Item -ItemType Directory -Path $repositoryFolder, $localAppData
        $repositoryName = "PSThreadingTest$([guid]::NewGuid().ToString('n').Substring(0, 8))"

        # Runs a script in a fresh pwsh that sees only the temporary user folders; bounded.
        function Invoke-IsolatedPwsh {
            param([string] $Script, [int] $TimeoutSeconds = 120)
            $file = Join-Path $TestDrive "child-$([guid]::NewGuid().ToString('n')).ps1"
            Set-Content -Path $file -Value "`$ErrorActionPreference = 'Stop'`n$Script"
            $stdout = "$file.out"
            $stderr = "$file.err"
            $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file `
                -Environment @{ HOME = $dataHome; XDG_DATA_HOME = $localAppData; PSModulePath = $null } `
                -WorkingDirectory $TestDrive -RedirectStandardOutput $stdout -RedirectStandardError $stderr -PassThru -NoNewWindow
            if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
                $process.Kill($true)
                throw "The child pwsh did not exit within $TimeoutSeconds s."
            }
            $process.WaitForExit()   # the redirected output is copied to its files asynchronously
            [pscustomobject]@{
                Output   = @(Get-Content $stdout)
                Errors   = (Get-Content $stderr -Raw)
                ExitCode = $process.ExitCode
            }
        }

        $pack = Invoke-IsolatedPwsh ". '$(Join-Path $RepoRoot 'tools/BuildTasks.ps1')'; Invoke-PackageTask 6>`$null"
        if ($pack.ExitCode -ne 0) {
            throw "The Package task failed: $($pack.Errors)"
        }
        $package = $pack.Output | Select-Object -Last 1
        Copy-Item $package $repositoryFolder

        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($package)
        try {
            $entries = $zip.Entries.FullName
            $reader = [System.IO.StreamReader]::new($zip.GetEntry('PSThreading.nuspec').Open())
            try {
                $nuspec = [xml]$reader.ReadToEnd()
            }
            finally {
                $reader.Dispose()
            }
        }
        finally {
            $zip.Dispose()
        }

        $install = Invoke-IsolatedPwsh @"
Register-PSResourceRepository -Name '$repositoryName' -Uri '$repositoryFolder' -Trusted
try {
    Install-PSResource -Name PSThreading -Repository '$repositoryName' -TrustRepository -Scope CurrentUser -Quiet
    `$installed = Get-InstalledPSResource -Name PSThreading
    "version=`$(`$installed.Version)"
    "location=`$(`$installed.InstalledLocation)"
}
finally {
    Unregister-PSResourceRepository -Name '$repositoryName'
    "repositories=`$((Get-PSResourceRepository).Name -join ',')"
}
"@
    }

    It 'is written by the Package task as output/PSThreading.<version>.nupkg' {
        $package | Should -Be (Join-Path $RepoRoot "output/PSThreading.$version.nupkg")
        $package | Should -Exist
    }

    It 'holds the manifest, both assemblies and the help' {
        foreach ($file in 'PSThreading.psd1', 'PSThreading.dll', 'PSThreading.Core.dll', 'PSThreading.Format.ps1xml',
            'en-US/PSThreading.dll-Help.xml', 'en-US/about_PSThreading.help.txt', 'PSThreading.nuspec') {
            $entries | Should -Contain $file
        }
    }

    It 'ships the licence and the changelog, which the manifest points to' {
        $entries | Should -Contain 'LICENSE'
        $entries | Should -Contain 'CHANGELOG.md'
        $psData = (Import-PowerShellDataFile $ModuleManifest).PrivateData.PSData
        $psData.ReleaseNotes | Should -Match 'CHANGELOG\.md'
        $nuspec.package.metadata.releaseNotes | Should -Be $psData.ReleaseNotes
        $nuspec.package.metadata.copyright | Should -Match 'MIT'
    }

    It 'installs from a local folder repository with Install-PSResource' {
        $install.ExitCode | Should -Be 0 -Because $install.Errors
        $install.Output | Should -Contain "version=$version"
        ($install.Output | Where-Object { $_ -like 'location=*' }) | Should -BeLike "location=$dataHome*"
    }

    It 'leaves no repository registered' {
        $registered = ($install.Output | Where-Object { $_ -like 'repositories=*' }) -replace '^repositories=' -split ','
        $registered | Should -Not -Contain $repositoryName
    }

    It 'keeps the PSResourceGet repository list in the temporary home, not in the current folder' {
        Join-Path $localAppData 'PSResourceGet/PSResourceRepository.xml' | Should -Exist
        Join-Path $TestDrive 'PSResourceGet' | Should -Not -Exist
    }

    It 'imports by name in a fresh pwsh and runs a cmdlet' {
        $run = Invoke-IsolatedPwsh @'
Import-Module PSThreading
"base=$((Get-Module PSThreading).ModuleBase)"
"answer=$(Start-WorkerThread { 6 * 7 } | Wait-WorkerThread)"
"help=$((Get-Help Start-WorkerThread).Synopsis)"
'@
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        ($run.Output | Where-Object { $_ -like 'base=*' }) | Should -BeLike "base=$dataHome*"
        $run.Output | Should -Contain 'answer=42'
        ($run.Output | Where-Object { $_ -like 'help=*' }) | Should -Match 'help=Starts a script block'
    }
}

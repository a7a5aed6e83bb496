BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:SourceRoot = Join-Path $RepoRoot 'src/PSThreading'
    $script:EngineFolder = Join-Path $SourceRoot 'Engine'
    # What reads a member of PowerShell or PSReadLine that is not public, or any member by its name: the
    # non-public binding flag, the reflection lookups by name, and a type looked up by its name.
    $script:PrivateRead = 'BindingFlags\s*\.\s*NonPublic|\bNonPublic\b|\.\s*Get(Field|Property|Method|Member|Event|NestedType|Constructor)s?\s*\(|\bInvokeMember\s*\(|\.\s*GetType\s*\(\s*"|\bType\s*\.\s*GetType\s*\('
    function Get-PrivateRead {
        param([IO.FileInfo[]] $File)
        foreach ($source in $File) {
            $number = 0
            foreach ($line in [IO.File]::ReadAllLines($source.FullName)) {
                $number++
                $code = $line -replace '//.*$', ''
                if ($code -match $PrivateRead) {
                    '{0}:{1}: {2}' -f $source.FullName.Substring($RepoRoot.Length + 1), $number, $line.Trim()
                }
            }
        }
    }
}

# Issue 22: every read or write of a non-public member of PowerShell or PSReadLine lives in src/PSThreading/Engine/,
# one class per capability, so that one folder says what a PowerShell update can break.
Describe 'The engine seam' {
    It 'no file outside src/PSThreading/Engine reads members by reflection or uses BindingFlags.NonPublic' {
        $outside = @(Get-ChildItem $SourceRoot -Recurse -Filter '*.cs' |
            Where-Object { -not $_.FullName.StartsWith($EngineFolder + [IO.Path]::DirectorySeparatorChar) -and $_.FullName -notmatch '[\\/](obj|bin)[\\/]' })
        $outside.Count | Should -BeGreaterThan 50 -Because 'the module''s sources are found'
        $found = @(Get-PrivateRead $outside)
        $found | Should -BeNullOrEmpty -Because "private members are read only in src/PSThreading/Engine (move these there, as a capability with IsAvailable):`n$($found -join "`n")"
    }

    It 'the check finds each form of a read by name' -TestCases @(
        @{ Code = 'typeof(ErrorRecord).GetProperty("PreserveInvocationInfoOnce", BindingFlags.Instance | BindingFlags.NonPublic);' }
        @{ Code = 'type.GetField("_singleton", flags)?.GetValue(null);' }
        @{ Code = 'runtime.GetMethod(name, Internal, null, types, null);' }
        @{ Code = 'typeof(PSObject).Assembly.GetType("System.Management.Automation.MshCommandRuntime");' }
        @{ Code = 'target.GetType().InvokeMember("X", flags, null, target, null);' }
        @{ Code = 'const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;' }
        @{ Code = 'foreach (var f in type.GetFields(flags)) { }' }
    ) {
        $file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-seam-$([guid]::NewGuid().ToString('n')).cs"
        try {
            Set-Content -Path $file -Value $Code
            @(Get-PrivateRead (Get-Item $file)).Count | Should -Be 1
        }
        finally {
            Remove-Item $file -ErrorAction Ignore
        }
    }

    It 'lists each capability class of the folder in Get-ThreadingCapability' {
        $names = @(Get-ThreadingCapability).Name
        $declared = @(Get-ChildItem $EngineFolder -Filter '*.cs' | ForEach-Object {
            [regex]::Matches([IO.File]::ReadAllText($_.FullName), 'public const string Name = "([^"]+)"') | ForEach-Object { $_.Groups[1].Value }
        })
        $declared.Count | Should -BeGreaterThan 10
        @($declared | Where-Object { $_ -notin $names }) | Should -BeNullOrEmpty
        @($names | Where-Object { $_ -notin $declared }) | Should -BeNullOrEmpty
    }
}

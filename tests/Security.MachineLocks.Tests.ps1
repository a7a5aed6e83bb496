BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Machine locks against another local user, and over long runs (issue 20). Every test runs root's side in a child
# pwsh whose TMPDIR is a fresh sticky, world-writable folder (a /tmp of its own), and the other user's side as a
# real second user (useradd, as root does in CI) running a copy of this pwsh. Needs Linux, root and useradd.
Describe 'Security: machine locks in a shared temporary folder' {
    BeforeAll {
        $script:Other = 'psthreading-other'
        $script:SkipReason = if (-not $IsLinux) { 'needs Linux (a second local user, symlinks, FIFOs and ulimit)' }
            elseif ((& id -u) -ne '0') { 'needs root, to create a second local user and run commands as it' }
            elseif (-not (Get-Command useradd, runuser -ErrorAction Ignore)) { 'needs useradd and runuser' }
        if (-not $SkipReason) {
            & id -u $Other *> $null
            if ($LASTEXITCODE -ne 0) { & useradd -M -s /usr/sbin/nologin $Other 2>&1 | Out-Null }
            & id -u $Other *> $null
            if ($LASTEXITCODE -ne 0) { $script:SkipReason = "could not create the user $Other" }
        }

        # Scripts and a copy of pwsh the other user may run: this pwsh lives under /root, which it cannot enter.
        $script:Shared = Join-Path '/tmp' "psthreading-sec-$([guid]::NewGuid().ToString('n'))"
        $null = New-Item -ItemType Directory -Path $Shared
        if (-not $SkipReason) {
            & chmod 755 $Shared
            $script:OtherPwsh = Join-Path $Shared 'pwsh-home/pwsh'
            & cp -r "$PSHOME/." (Join-Path $Shared 'pwsh-home')
            & chmod -R a+rX (Join-Path $Shared 'pwsh-home')
        }

        # Runs $Script as $User ('root' or the other user) in a child pwsh with the module imported and TMPDIR the
        # test's temporary folder; kills it after $TimeoutSeconds. -Ulimit runs it under that open-files limit.
        function Invoke-As {
            param([string] $User, [string] $Script, [int] $TimeoutSeconds = 60, [int] $Ulimit = 0, [hashtable] $Environment = @{})
            $file = Join-Path $Shared "script-$([guid]::NewGuid().ToString('n')).ps1"
            "`$ErrorActionPreference = 'Stop'`nImport-Module '$ModuleManifest'`n$Script" | Set-Content -Path $file
            & chmod 644 $file
            $pwsh = if ($User -eq 'root') { $PwshPath } else { $OtherPwsh }
            $command = "exec env TMPDIR='$Tmp' '$pwsh' -NoProfile -NonInteractive -File '$file'"
            if ($Ulimit) { $command = "ulimit -n $Ulimit; $command" }
            $info = [Diagnostics.ProcessStartInfo]::new('bash')
            if ($User -ne 'root') { $info.FileName = 'runuser'; foreach ($a in '-u', $User, '--', 'bash') { $info.ArgumentList.Add($a) } }
            $info.ArgumentList.Add('-c'); $info.ArgumentList.Add($command)
            foreach ($key in $Environment.Keys) { $info.Environment[$key] = $Environment[$key] }
            $info.RedirectStandardOutput = $true; $info.RedirectStandardError = $true; $info.UseShellExecute = $false
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $process = [Diagnostics.Process]::Start($info)
            $script:Started.Add($process)
            $out = $process.StandardOutput.ReadToEndAsync(); $err = $process.StandardError.ReadToEndAsync()
            $timedOut = -not $process.WaitForExit($TimeoutSeconds * 1000)
            if ($timedOut) { $process.Kill($true); $null = $process.WaitForExit(10000) }
            [pscustomobject]@{
                ExitCode = if ($timedOut) { 'killed after timeout' } else { $process.ExitCode }
                Output = $out.Result; Error = $err.Result; Seconds = $clock.Elapsed.TotalSeconds
            }
        }

        # Starts $Script as $User without waiting: for holders. Killed in AfterEach.
        function Start-As([string] $User, [string] $Script) {
            $file = Join-Path $Shared "script-$([guid]::NewGuid().ToString('n')).ps1"
            "`$ErrorActionPreference = 'Stop'`nImport-Module '$ModuleManifest'`n$Script" | Set-Content -Path $file
            & chmod 644 $file
            $pwsh = if ($User -eq 'root') { $PwshPath } else { $OtherPwsh }
            $arguments = if ($User -eq 'root') { @() } else { @('-u', $User, '--') }
            $launcher = if ($User -eq 'root') { 'env' } else { 'runuser' }
            $process = Start-Process -FilePath $launcher -PassThru `
                -ArgumentList ($arguments + @(if ($User -ne 'root') { 'env' }) + @("TMPDIR=$Tmp", $pwsh, '-NoProfile', '-NonInteractive', '-File', $file)) `
                -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err"
            $script:Started.Add($process)
            $process
        }

        # The holder file a user's process uses for a lock name: the module's own naming (MachineMutex.MutexNameFor).
        function Get-HolderFileName([string] $User, [string] $Name) {
            $lowered = $Name.ToLowerInvariant()
            $bytes = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($User.ToLowerInvariant() + "`n" + $lowered))
            "PSThreading-$($lowered -replace '[^a-z0-9._-]', '_')-$(-join ($bytes[0..15] | ForEach-Object { $_.ToString('x2') }))"
        }

        # Runs a shell command as the other user (planting files the way an attacker would).
        function Invoke-AsOther([string] $Command) {
            & runuser -u $Other -- bash -c $Command
            if ($LASTEXITCODE -ne 0) { throw "as ${Other}: '$Command' failed ($LASTEXITCODE)" }
        }

        function New-LockName { "sec-$([guid]::NewGuid().ToString('n'))" }

        # Root takes the lock, catching the error: prints RAN when the block ran, else the error id and message.
        function Get-TakeScript([string] $Name, [double] $Timeout = 2) {
            @"
try {
    Invoke-WithLock -Name '$Name' -Scope Machine -Timeout $Timeout -WarningVariable warnings -WarningAction SilentlyContinue { 'RAN' }
    "WARNINGS: `$warnings"
}
catch { "ERROR: `$(`$_.FullyQualifiedErrorId): `$(`$_.Exception.Message)" }
"@
        }
    }

    BeforeEach {
        $script:Started = [Collections.Generic.List[Diagnostics.Process]]::new()
        # A /tmp of this test's own: sticky and writable by everyone.
        $script:Tmp = Join-Path $Shared "tmp-$([guid]::NewGuid().ToString('n'))"
        $null = New-Item -ItemType Directory -Path $Tmp
        if (-not $SkipReason) { & chmod 1777 $Tmp }
        $script:RootFolder = Join-Path $Tmp 'PSThreading-locks-root'
        $script:Victim = Join-Path $Tmp 'victim'
        [IO.File]::WriteAllText($Victim, "precious`n")
    }

    AfterEach {
        foreach ($process in $Started) {
            if (-not $process.HasExited) { $process.Kill($true); $null = $process.WaitForExit(10000) }
        }
        Remove-Item $Tmp -Recurse -Force -ErrorAction Ignore
    }

    AfterAll { Remove-Item $Shared -Recurse -Force -ErrorAction Ignore }

    It 'refuses a lock folder another user made, and never writes through the link planted in it' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $name = New-LockName
        Invoke-AsOther "mkdir -m 777 '$RootFolder' && ln -s '$Victim' '$RootFolder/$(Get-HolderFileName root $name).holder'"

        $run = Invoke-As root (Get-TakeScript $name)
        [IO.File]::ReadAllText($Victim) | Should -Be "precious`n" -Because 'a link planted by another user is never written through'
        $run.Output | Should -Not -Match 'RAN'
        $run.Output | Should -Match 'ERROR: MachineLockFolderUnsafe'
        $run.Output | Should -Match ([regex]::Escape($RootFolder)) -Because 'the error says where'
        $run.Output | Should -Match "owned by $Other" -Because 'the error says why'
    }

    It 'never follows a link in its own folder, even one chowned to look like the other user''s' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $name = New-LockName
        (Invoke-As root (Get-TakeScript (New-LockName))).Output | Should -Match 'RAN' -Because 'this makes the folder'
        $link = "$RootFolder/$(Get-HolderFileName root $name).holder"
        & ln -s $Victim $link
        & chown -h "${Other}:" $link

        $run = Invoke-As root (Get-TakeScript $name)
        [IO.File]::ReadAllText($Victim) | Should -Be "precious`n"
        $run.Output | Should -Match 'ERROR: MachineLockFolderUnsafe'
        $run.Output | Should -Match ([regex]::Escape($link))
    }

    It 'keeps its timeout and its memory when a <Kind> is planted (<Where>)' -TestCases @(
        @{ Kind = 'FIFO'; Where = 'a folder the other user made' }
        @{ Kind = 'FIFO'; Where = 'its own folder' }
        @{ Kind = 'link to /dev/zero'; Where = 'a folder the other user made' }
        @{ Kind = 'link to /dev/zero'; Where = 'its own folder' }
    ) {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $name = New-LockName
        $plant = if ($Kind -eq 'FIFO') { "mkfifo '{0}'" } else { "ln -s /dev/zero '{0}'" }
        $path = "$RootFolder/$(Get-HolderFileName root $name).holder"
        if ($Where -eq 'its own folder') {
            (Invoke-As root (Get-TakeScript (New-LockName))).Output | Should -Match 'RAN'
            & bash -c ($plant -f $path)
            & chown -h "${Other}:" $path
        }
        else {
            Invoke-AsOther ("mkdir -m 777 '$RootFolder' && " + ($plant -f $path))
        }

        # A 256 MB heap: reading /dev/zero to its end would run out of it.
        $run = Invoke-As root (Get-TakeScript $name -Timeout 2) -TimeoutSeconds 40 -Environment @{ DOTNET_GCHeapHardLimit = '0x10000000' }
        $run.ExitCode | Should -Be 0 -Because "the call returns within its timeout ($($run.Error))"
        $run.Seconds | Should -BeLessThan 30
        $run.Output | Should -Match 'ERROR: MachineLockFolderUnsafe'
        "$($run.Output)$($run.Error)" | Should -Not -Match 'OutOfMemory'
    }

    It 'does not believe a holder record in a file another user owns (<Where>)' -TestCases @(
        @{ Where = 'a folder the other user made' }
        @{ Where = 'its own folder' }
    ) {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $name = New-LockName
        $path = "$RootFolder/$(Get-HolderFileName root $name).holder"
        $forged = "held`n4242`nFORGED-PROCESS`nFORGED-COMMAND-LINE`nFORGED-THREAD`n7`n$([datetime]::UtcNow.Ticks)`n"
        $forgedFile = Join-Path $Shared "forged-$([guid]::NewGuid().ToString('n'))"
        [IO.File]::WriteAllText($forgedFile, $forged)
        & chmod 644 $forgedFile
        if ($Where -eq 'its own folder') {
            (Invoke-As root (Get-TakeScript (New-LockName))).Output | Should -Match 'RAN'
            & cp $forgedFile $path
            & chown "${Other}:" $path
        }
        else {
            Invoke-AsOther "mkdir -m 777 '$RootFolder' && cp '$forgedFile' '$path'"
        }

        $run = Invoke-As root (Get-TakeScript $name)
        "$($run.Output)$($run.Error)" | Should -Not -Match 'FORGED' -Because 'a record in a file another user owns is not believed'
        $run.Output | Should -Match 'ERROR: MachineLockFolderUnsafe'
    }

    It 'is not held by another user who opens the named mutex or the holder file by its computable name' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $name = New-LockName
        (Invoke-As root (Get-TakeScript $name)).Output | Should -Match 'RAN' -Because 'this makes the folder and the lock''s files'
        $file = Get-HolderFileName root $name
        $ready = Join-Path $Tmp "ready-$([guid]::NewGuid().ToString('n'))"
        # Whatever the other user can open by name, it takes and keeps: the mutex, the holder file (flock).
        $null = Start-As $Other @"
`$got = @()
try { `$m = [Threading.Mutex]::new(`$false, 'Global\$file'); if (`$m.WaitOne(0)) { `$got += 'mutex' } } catch { }
try { `$f = [IO.File]::Open('$RootFolder/$file.holder', 'Open', 'Read', 'None'); `$got += 'file' } catch { }
[IO.File]::WriteAllText('$ready', (`$got -join ','))
Start-Sleep -Seconds 60
"@
        Wait-Until { Test-Path $ready } -Seconds 60

        $run = Invoke-As root (Get-TakeScript $name -Timeout 3)
        $run.Output | Should -Match 'RAN' -Because "another user cannot hold root's lock (it opened: '$(Get-Content $ready)'; root got: $($run.Output))"
    }

    It 'keeps two users apart: each holds its own lock of the same name at once' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $name = New-LockName
        $ready = Join-Path $Tmp "ready-$([guid]::NewGuid().ToString('n'))"
        $null = Start-As $Other @"
`$lock = New-ThreadLock -Name '$name' -Scope Machine
if (`$lock.Acquire(20)) { [IO.File]::WriteAllText('$ready', 'held') }
Start-Sleep -Seconds 60
"@
        Wait-Until { Test-Path $ready } -Seconds 60
        (Invoke-As root (Get-TakeScript $name -Timeout 3)).Output | Should -Match 'RAN'
    }

    It 'keeps the holder record readable by its owner only, held and released' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $held = New-LockName
        $ready = Join-Path $Tmp "ready-$([guid]::NewGuid().ToString('n'))"
        # The command line names this script, whose name carries a marker.
        $null = Start-As root @"
Invoke-WithLock -Name '$(New-LockName)' -Scope Machine { }
`$lock = New-ThreadLock -Name '$held' -Scope Machine
`$null = `$lock.Acquire(20)
[IO.File]::WriteAllText('$ready', 'held')
Start-Sleep -Seconds 60
"@
        Wait-Until { Test-Path $ready } -Seconds 60

        $read = Invoke-As $Other @"
Get-ChildItem -LiteralPath '$RootFolder' -Force -File -ErrorAction SilentlyContinue |
    ForEach-Object { try { [IO.File]::ReadAllText(`$_.FullName) } catch { } }
'listed'
"@
        $read.Output | Should -Match 'listed'
        $read.Output | Should -Not -Match 'script-' -Because 'another user reads no holder''s command line'
        (& stat -c '%a' $RootFolder) | Should -Be '700'
        foreach ($file in Get-ChildItem -LiteralPath $RootFolder -Force -File) {
            (& stat -c '%a' $file.FullName) | Should -Be '600' -Because "$($file.Name) is the owner's only"
        }
    }

    It 'takes 5,000 distinct names under ulimit -n 256 and leaves no files behind' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        $run = Invoke-As root -Ulimit 256 -TimeoutSeconds 300 @'
$clock = [Diagnostics.Stopwatch]::StartNew()
for ($i = 0; $i -lt 5000; $i++) { Invoke-WithLock -Name "long-run-$i" -Scope Machine { } }
"DONE in $($clock.Elapsed.TotalSeconds) s"
'@
        Write-Host "    figures: $($run.Output.Trim())"
        $run.ExitCode | Should -Be 0 -Because "pwsh never aborts ($($run.Error))"
        $run.Output | Should -Match 'DONE'
        $left = @(Get-ChildItem -LiteralPath $Tmp -Recurse -Force -File -ErrorAction Ignore | Where-Object Name -NE 'victim')
        $left.Count | Should -BeLessThan 20 -Because "a name nobody holds leaves nothing behind (left: $(($left | Select-Object -First 5).FullName))"
    }

    It 'reports running out of descriptors as a normal error, and goes on once they are freed' {
        if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
        # Every lock held keeps its file open: under ulimit -n 256, holding 400 runs out.
        $run = Invoke-As root -Ulimit 256 -TimeoutSeconds 120 @'
$locks = foreach ($i in 0..399) { New-ThreadLock -Name "many-$i" -Scope Machine }
$held = [Collections.Generic.List[object]]::new()
$failure = $null
foreach ($lock in $locks) {
    try { if ($lock.Acquire(5)) { $held.Add($lock) } } catch { $failure = $_.Exception.InnerException; break }
}
"HELD $($held.Count)"
"FAILURE $($failure.ErrorId): $($failure.Message)"
foreach ($lock in $held) { $lock.Release() }
Invoke-WithLock -Name 'after-all' -Scope Machine { 'AGAIN' }
'@
        $run.ExitCode | Should -Be 0 -Because "pwsh never aborts ($($run.Error))"
        $run.Output | Should -Match 'FAILURE MachineLockUnavailable: .*too many files open' -Because $run.Output
        $run.Output | Should -Match 'AGAIN'
    }
}

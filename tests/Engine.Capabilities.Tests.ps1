BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:ModuleAssembly = (Get-Module PSThreading).ImplementingAssembly
    $script:AnyMember = [Reflection.BindingFlags]'Public, NonPublic, Static, Instance'

    function Get-Capability([string] $Name) {
        $capability = Get-ThreadingCapability -Name $Name
        $capability | Should -Not -BeNullOrEmpty -Because "the module lists the capability $Name"
        $capability
    }

    # A static member of one of the module's engine classes: the canaries call the seam itself, as the module does.
    function Invoke-Seam([string] $Class, [string] $Member, [object[]] $Arguments = @()) {
        $type = $ModuleAssembly.GetType("PSThreading.Engine.$Class", $true)
        $type.GetMethod($Member, $AnyMember).Invoke($null, $Arguments)
    }

    # A child pwsh in which the named capabilities count as unavailable (PSTHREADING_DISABLE_CAPABILITY).
    function Invoke-WithoutCapability([string] $Capability, [string] $Script) {
        $env:PSTHREADING_DISABLE_CAPABILITY = $Capability
        try {
            Invoke-ChildPwsh -Script $Script -TimeoutSeconds 120
        }
        finally {
            Remove-Item Env:PSTHREADING_DISABLE_CAPABILITY -ErrorAction Ignore
        }
    }
}

AfterAll {
    Remove-Item Env:PSTHREADING_DISABLE_CAPABILITY -ErrorAction Ignore
}

# Issue 22, canaries: one named test per capability, asserting that it works on the PowerShell that runs the suite,
# so that a PowerShell or PSReadLine which renames a member fails the test of that capability by name.
Describe 'Engine capability canaries' {
    AfterEach { Stop-LeftoverWorker }

    It 'every capability needed here is available' {
        $missing = @(Get-ThreadingCapability -FallbackActive)
        $missing | Should -BeNullOrEmpty -Because "these fallbacks are in use: $(@($missing | ForEach-Object { "$($_.Name) ($($_.Fallback))" }) -join '; ')"
    }

    It 'OriginalRecords: a forwarded warning keeps the worker''s InvocationInfo' {
        (Get-Capability OriginalRecords).IsAvailable | Should -BeTrue
        $null = Start-WorkerThread { Write-Warning 'canary warning' } | Wait-WorkerThread -WarningVariable warned -WarningAction SilentlyContinue
        $warned.Count | Should -Be 1
        $warned[0].Message | Should -Be 'canary warning'
        $warned[0].InvocationInfo.MyCommand.Name | Should -Not -Be 'Wait-WorkerThread'
    }

    It 'VerboseSwitch: a verbose record the worker let through reaches a join without -Verbose' {
        (Get-Capability VerboseSwitch).IsAvailable | Should -BeTrue
        $VerbosePreference = 'SilentlyContinue'
        $records = @(Start-WorkerThread { Write-Verbose 'canary verbose' -Verbose } | Wait-WorkerThread 4>&1)
        @($records | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message | Should -Be 'canary verbose'
    }

    It 'ErrorInvocation: a forwarded error keeps its plain id and the worker''s invocation' {
        (Get-Capability ErrorInvocation).IsAvailable | Should -BeTrue
        $null = Start-WorkerThread { Write-Error -ErrorId 'CanaryId' 'canary error' } | Wait-WorkerThread -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'CanaryId'
        $failed[0].InvocationInfo.MyCommand.Name | Should -Not -Be 'Wait-WorkerThread'
    }

    It 'SessionStateTables: a runspace''s aliases, functions, drives and modules are read' {
        (Get-Capability SessionStateTables).IsAvailable | Should -BeTrue
        $runspace = [runspacefactory]::CreateRunspace()
        try {
            $runspace.Open()
            $tables = Invoke-Seam SessionStateTables TryOpen @(, $runspace)
            $tables | Should -Not -BeNullOrEmpty
            $tables.Aliases().Count | Should -BeGreaterThan 10
            @($tables.Aliases() | ForEach-Object Name) | Should -Contain 'gci'
            @($tables.Functions() | ForEach-Object Name) | Should -Contain 'prompt'
            @($tables.Drives() | ForEach-Object Name) | Should -Contain 'Env'
            $tables.ModuleCount | Should -Be $tables.ModulePaths().Count
        }
        finally {
            $runspace.Dispose()
        }
        # A runspace not opened has no tables yet: no reuse for it, and nothing wrong with the engine.
        $unopened = [runspacefactory]::CreateRunspace()
        try {
            Invoke-Seam SessionStateTables TryOpen @(, $unopened) | Should -BeNullOrEmpty
        }
        finally {
            $unopened.Dispose()
        }
        # Still available after the reads: none of them failed.
        (Get-Capability SessionStateTables).IsAvailable | Should -BeTrue
    }

    It 'ClassRunspaceAffinity: a bound class instance is refused, a [NoRunspaceAffinity()] one let through' -Skip:($PSVersionTable.PSVersion -lt [version]'7.4') {
        (Get-Capability ClassRunspaceAffinity).IsAvailable | Should -BeTrue
        $result = Invoke-ChildPwsh -Script @'
class Bound { [int] Get() { return 1 } }
[NoRunspaceAffinity()] class Free { [int] Get() { return 2 } }
try { $null = Start-WorkerThread { param($o) $o.Get() } -ArgumentList ([Bound]::new()); 'bound: started' } catch { "bound: $($_.FullyQualifiedErrorId)" }
$free = Start-WorkerThread { param($o) $o.Get() } -ArgumentList ([Free]::new())
"free: $($free | Wait-WorkerThread)"
'@
        $result.Output | Should -Contain 'bound: RunspaceBoundClassInstance,PSThreading.Commands.StartWorkerThreadCommand'
        $result.Output | Should -Contain 'free: 2'
    }

    It 'InstanceMembers: an added script member is found, a type-data one is not' {
        (Get-Capability InstanceMembers).IsAvailable | Should -BeTrue
        $withMember = @{ Name = 'x' }
        $withMember | Add-Member -MemberType ScriptMethod -Name Go -Value { 1 }
        { Start-WorkerThread { param($o) 1 } -ArgumentList $withMember } | Should -Throw -ErrorId 'RunspaceBoundScriptMember,PSThreading.Commands.StartWorkerThreadCommand'
        # A file's type data has script properties (BaseName) that run in any runspace: not refused.
        Start-WorkerThread { param($o) $o.Name } -ArgumentList (Get-Item $PSHOME) | Wait-WorkerThread | Should -Be (Split-Path $PSHOME -Leaf)
    }

    It 'PrimaryRunspace: the engine names the runspace running the suite' {
        (Get-Capability PrimaryRunspace).IsAvailable | Should -BeTrue
        $arguments = [object[]]@($null)
        (Invoke-Seam PrimaryRunspace TryGet $arguments) | Should -BeTrue
        $arguments[0] | Should -Not -BeNullOrEmpty
        $arguments[0].InstanceId | Should -Be ([runspace]::DefaultRunspace.InstanceId)
    }

    It 'EngineRunspaceList: the engine''s list of runspaces is read' {
        (Get-Capability EngineRunspaceList).IsAvailable | Should -BeTrue
        $seen = [Collections.Generic.List[guid]]::new()
        $pick = [Func[guid, bool]] { param($id) $seen.Add($id); $false }
        Invoke-Seam EngineRunspaceList Drop @(, $pick) | Should -Be 0
        $seen | Should -Contain ([runspace]::DefaultRunspace.InstanceId)
    }

    It 'OutOfProcessRunspaces: a pool item runs in a pwsh child process' {
        (Get-Capability OutOfProcessRunspaces).IsAvailable | Should -BeTrue
        $childPid = 1 | Invoke-ThreadPool -Isolation Process { $PID }
        $childPid | Should -Not -Be $PID
        $childPid | Should -BeGreaterThan 0
    }

    It 'Transcript: a worker''s host output is in the caller''s transcript' {
        (Get-Capability Transcript).IsAvailable | Should -BeTrue
        $path = Join-Path ([IO.Path]::GetTempPath()) "psthreading-canary-$([guid]::NewGuid().ToString('n')).txt"
        try {
            $null = Start-Transcript -Path $path
            try {
                Start-WorkerThread { Write-Host 'canary host line' } | Wait-WorkerThread 6>$null
            }
            finally {
                $null = Stop-Transcript
            }
            Get-Content $path -Raw | Should -Match 'canary host line'
        }
        finally {
            Remove-Item $path -ErrorAction Ignore
        }
    }

    It 'LockdownPolicy: the system lockdown policy is read' {
        $capability = Get-Capability LockdownPolicy
        $capability.IsAvailable | Should -BeTrue
        Start-WorkerThread { $ExecutionContext.SessionState.LanguageMode } | Wait-WorkerThread | Should -Be $ExecutionContext.SessionState.LanguageMode
    }

    It 'PSReadLine: the prompt''s members are found once PSReadLine is loaded' {
        $result = Invoke-ChildPwsh -Script @'
Import-Module PSReadLine
$capability = Get-ThreadingCapability -Name PSReadLine
"needed: $($capability.IsNeeded) available: $($capability.IsAvailable)"
'@
        $result.Output | Should -Contain 'needed: True available: True'
    }

    It 'DotSourceInvoke: Invoke-WithLock runs its block without a wrapper script' {
        (Get-Capability DotSourceInvoke).IsAvailable | Should -BeTrue
        $l = New-ThreadLock
        # Run as a command (the public way, ". $args[0]"), the block gets a $MyInvocation of its own; dot-sourced
        # straight into the caller's scope, it sees the caller's, as a ForEach-Object block does.
        Invoke-WithLock $l { "$($MyInvocation.MyCommand)" } | Should -Be "$($MyInvocation.MyCommand)"
    }

    It 'RootDriveCheck: a worker runspace''s drive / skips the existence check; the caller''s keeps it' -Skip:$IsWindows {
        (Get-Capability RootDriveCheck).IsAvailable | Should -BeTrue
        $flag = [Management.Automation.PSDriveInfo].GetProperty('IsAutoMounted', [Reflection.BindingFlags]'NonPublic, Instance')
        $inWorker = Start-WorkerThread { param($flag) $flag.GetValue((Get-PSDrive -Name /)) } -ArgumentList $flag | Wait-WorkerThread
        $inWorker | Should -BeFalse
        $flag.GetValue((Get-PSDrive -Name /)) | Should -BeTrue -Because 'only worker runspaces are changed'
    }

    It 'CurrentCommand: Import-Module -Verbose lists a fallback through Import-Module itself' {
        (Get-Capability CurrentCommand).IsAvailable | Should -BeTrue
        # With one capability turned off, its line is what Import-Module -Verbose writes.
        $result = Invoke-WithoutCapability 'InstanceMembers' @'
Import-Module (Get-Module PSThreading).Path.Replace('.dll', '.psd1') -Force -Verbose 4>&1 | ForEach-Object { "$_" } | Where-Object { $_ -like '*fallback*' }
'@
        @($result.Output | Where-Object { $_ -like '*fallback*' }) | Should -HaveCount 1
        $result.Output -join "`n" | Should -Match 'InstanceMembers does not work'
    }
}

# Issue 22, fail closed and never silently: each fallback at work, with its capability turned off by the test override.
Describe 'Engine capability fallbacks' {
    It 'Import-Module -Verbose lists no fallback where every capability works' {
        $result = Invoke-ChildPwsh -Script @'
Import-Module (Get-Module PSThreading).Path.Replace('.dll', '.psd1') -Force -Verbose 4>&1 | ForEach-Object { "$_" } | Where-Object { $_ -like '*fallback*' }
'done'
'@
        $result.Output | Should -Be 'done'
    }

    It 'ClassRunspaceAffinity unreadable: every class instance is refused with RunspaceBoundClassInstance (closed)' {
        $result = Invoke-WithoutCapability 'ClassRunspaceAffinity' @'
Invoke-Expression 'class Plain { [int] Get() { return 2 } }'
try { $null = Start-WorkerThread { param($o) $o.Get() } -ArgumentList ([Plain]::new()); 'started' } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }
if ($PSVersionTable.PSVersion -ge [version]'7.4') {
    Invoke-Expression '[NoRunspaceAffinity()] class Free { [int] Get() { return 2 } }'
    try { $null = Start-WorkerThread { param($o) $o.Get() } -ArgumentList ([Free]::new()); 'free started' } catch { "free: $($_.FullyQualifiedErrorId)" }
}
$pool = 1, 2 | Invoke-ThreadPool { $_ * 2 } | Sort-Object
"plain data: $($pool -join ',')"
(Get-ThreadingCapability ClassRunspaceAffinity).FallbackActive
'@
        $result.Output | Should -Contain 'RunspaceBoundClassInstance,PSThreading.Commands.StartWorkerThreadCommand'
        $result.Output | Should -Not -Contain 'started'
        $result.Output -join "`n" | Should -Match 'every one is refused'
        if ($PSVersionTable.PSVersion -ge [version]'7.4') {
            $result.Output | Should -Contain 'free: RunspaceBoundClassInstance,PSThreading.Commands.StartWorkerThreadCommand'
        }
        $result.Output | Should -Contain 'plain data: 2,4'
        $result.Output[-1] | Should -Be 'True'
    }

    It 'LockdownPolicy unreadable: workers run in ConstrainedLanguage, said once (closed)' {
        $result = Invoke-WithoutCapability 'LockdownPolicy' @'
$modes = 1..3 | ForEach-Object { Start-WorkerThread { $ExecutionContext.SessionState.LanguageMode } -WarningVariable +warned | Wait-WorkerThread }
"modes: $($modes -join ',')"
"warnings: $(@($warned | Where-Object Message -Like '*LockdownPolicy*').Count)"
'@
        $result.Output | Should -Contain 'modes: ConstrainedLanguage,ConstrainedLanguage,ConstrainedLanguage'
        $result.Output | Should -Contain 'warnings: 1'
    }

    It 'OriginalRecords and ErrorInvocation unavailable: records still arrive, and each loss is warned once' {
        $result = Invoke-WithoutCapability 'OriginalRecords,ErrorInvocation' @'
$warned = @()
foreach ($i in 1..3) {
    $null = Start-WorkerThread { Write-Warning "worker warning"; Write-Error -ErrorId CanaryId 'worker error' } |
        Wait-WorkerThread -WarningVariable +warned -WarningAction SilentlyContinue -ErrorVariable +failed -ErrorAction SilentlyContinue
}
"worker warnings: $(@($warned | Where-Object Message -EQ 'worker warning').Count)"
"worker errors: $(@($failed | Where-Object { $_.Exception.Message -eq 'worker error' }).Count)"
"records warned: $(@($warned | Where-Object Message -Like '*OriginalRecords capability*').Count)"
"ids warned: $(@($warned | Where-Object Message -Like '*ErrorInvocation capability*').Count)"
'@
        $result.Output | Should -Contain 'worker warnings: 3'
        $result.Output | Should -Contain 'worker errors: 3'
        $result.Output | Should -Contain 'records warned: 1'
        $result.Output | Should -Contain 'ids warned: 1'
    }

    It 'VerboseSwitch unavailable: a verbose record the join would drop is warned once; -Verbose still shows it' {
        $result = Invoke-WithoutCapability 'VerboseSwitch' @'
foreach ($i in 1..3) {
    $null = Start-WorkerThread { Write-Verbose 'worker verbose' -Verbose } | Wait-WorkerThread -WarningVariable +warned 4>&1
}
"verbose warned: $(@($warned | Where-Object Message -Like '*VerboseSwitch capability*verbose and debug records*').Count)"
$shown = Start-WorkerThread { Write-Verbose 'worker verbose' -Verbose } | Wait-WorkerThread -Verbose 4>&1
"shown with -Verbose: $(@($shown | Where-Object { "$_" -eq 'worker verbose' }).Count)"
'@
        $result.Output | Should -Contain 'verbose warned: 1'
        $result.Output | Should -Contain 'shown with -Verbose: 1'
    }

    It 'Transcript unavailable: the first worker start warns once that host output is not transcribed' {
        $result = Invoke-WithoutCapability 'Transcript' @'
foreach ($i in 1..3) { Start-WorkerThread { 'ran' } -WarningVariable +warned | Wait-WorkerThread }
"transcript warned: $(@($warned | Where-Object Message -Like '*Transcript capability*not added to transcripts*').Count)"
'@
        $result.Output | Should -Contain 'transcript warned: 1'
        @($result.Output | Where-Object { $_ -eq 'ran' }).Count | Should -Be 3
    }

    It 'DotSourceInvoke unavailable: Invoke-WithLock streams, sees $_, and releases on every way out (slower)' {
        $result = Invoke-WithoutCapability 'DotSourceInvoke' @'
$l = New-ThreadLock
$n = 0; Invoke-WithLock $l { $n++ }
$out = @(
    "n=$n"
    (1..2 | ForEach-Object { Invoke-WithLock $l { $_ * 10 } }) -join ','
    (Invoke-WithLock $l { 1; 2; 3 } | Select-Object -First 1)
    (& { try { Invoke-WithLock $l { throw 'boom' } } catch { "caught $_" } })
    (& { foreach ($i in 1..3) { Invoke-WithLock $l { break } }; 'broke' })
    (& { foreach ($i in 1..3) { Invoke-WithLock $l { continue } }; 'continued' })
    "locked=$($l.IsLocked)"
    (Get-ThreadingCapability -Name DotSourceInvoke).IsAvailable
)
$out -join ';'
'@
        $result.ExitCode | Should -Be 0 -Because ($result.Error -join "`
")
        $result.Output[-1] | Should -Be 'n=1;10,20;1;caught boom;broke;continued;locked=False;False'
    }

    It 'RootDriveCheck unavailable: workers still move about the file system and are cleaned for the next (slower)' -Skip:$IsWindows {
        $result = Invoke-WithoutCapability 'RootDriveCheck' @'
$out = @(
    (Start-WorkerThread { Set-Location /; $PWD.Path } | Wait-WorkerThread)
    (Start-WorkerThread { $PWD.ProviderPath } | Wait-WorkerThread) -eq $PWD.ProviderPath
    (Get-ThreadingCapability -Name RootDriveCheck).IsAvailable
)
$out -join ';'
'@
        $result.ExitCode | Should -Be 0 -Because ($result.Error -join "`n")
        $result.Output[-1] | Should -Be '/;True;False'
    }

    It 'InstanceMembers unavailable: the public read still refuses added script members and lets type-data ones through' {
        $result = Invoke-WithoutCapability 'InstanceMembers' @'
$withMember = @{ Name = 'x' }
$withMember | Add-Member -MemberType ScriptMethod -Name Go -Value { 1 }
try { $null = Start-WorkerThread { 1 } -ArgumentList $withMember; 'started' } catch { $_.FullyQualifiedErrorId }
$custom = [pscustomobject]@{ Name = 'y' } | Add-Member -MemberType ScriptProperty -Name Upper -Value { $this.Name.ToUpper() } -PassThru
try { $null = Start-WorkerThread { 1 } -ArgumentList $custom; 'started' } catch { $_.FullyQualifiedErrorId }
Start-WorkerThread { param($o) "file: $($o.Name)" } -ArgumentList (Get-Item $PSHOME) | Wait-WorkerThread
'@
        @($result.Output | Where-Object { $_ -eq 'RunspaceBoundScriptMember,PSThreading.Commands.StartWorkerThreadCommand' }).Count | Should -Be 2
        $result.Output | Should -Contain "file: $(Split-Path $PSHOME -Leaf)"
    }

    It 'every capability unavailable: workers and pools still run, and Get-ThreadingCapability lists each fallback' {
        $result = Invoke-WithoutCapability '*' @'
Start-WorkerThread { 'worker ran' } -WarningAction SilentlyContinue | Wait-WorkerThread
"pool: $((1..3 | Invoke-ThreadPool { $_ + 1 } -WarningAction SilentlyContinue | Sort-Object) -join ',')"
"reused worker ran: $(Start-WorkerThread { 'again' } | Wait-WorkerThread)"
$all = @(Get-ThreadingCapability)
"unavailable: $(@($all | Where-Object { -not $_.IsAvailable }).Count) of $($all.Count)"
"active: $(@(Get-ThreadingCapability -FallbackActive).Count) of $(@($all | Where-Object IsNeeded).Count) needed"
'@
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Contain 'worker ran'
        $result.Output | Should -Contain 'pool: 2,3,4'
        $result.Output | Should -Contain 'reused worker ran: again'
        ($result.Output | Where-Object { $_ -like 'unavailable: *' }) | Should -Match '^unavailable: (\d+) of \1$'
        ($result.Output | Where-Object { $_ -like 'active: *' }) | Should -Match '^active: (\d\d+) of \1 needed$'
    }
}

# Concurrency: workers and pool calls reuse warm runspaces; nothing one leaves may be seen by the next.
BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

BeforeDiscovery {
    $FormatFile = Join-Path ([IO.Path]::GetTempPath()) 'psthreading-isolation.format.ps1xml'
    # Each kind of state: a statement that sets it and an expression that is $true while it is set.
    $StateKinds = @(
        @{ Kind = 'global variable'; Set = '$global:IsoVar = 1'; Check = '$null -ne (Get-Variable IsoVar -Scope Global -ErrorAction Ignore)' }
        @{ Kind = 'global function'; Set = 'function global:Get-IsoThing { 1 }'; Check = '$null -ne (Get-Command Get-IsoThing -ErrorAction Ignore)' }
        @{ Kind = 'global alias'; Set = 'Set-Alias -Name IsoAlias -Value Get-Date -Scope Global'; Check = '$null -ne (Get-Alias IsoAlias -ErrorAction Ignore)' }
        @{ Kind = 'imported module'; Set = 'New-Module -Name IsoModule { function Get-IsoModuleThing { 1 } } | Import-Module -Global'; Check = '$null -ne (Get-Module IsoModule)' }
        @{ Kind = 'type data'; Set = 'Update-TypeData -TypeName System.Int32 -MemberType NoteProperty -MemberName IsoNote -Value 1 -Force'; Check = '$null -ne (1).IsoNote' }
        @{ Kind = 'format data'; Set = "Update-FormatData -AppendPath '$FormatFile'"; Check = '$null -ne (Get-FormatData PSThreading.Iso.Thing)' }
        @{ Kind = 'PS drive'; Set = '$null = New-PSDrive -Name IsoDrive -PSProvider FileSystem -Root ([IO.Path]::GetTempPath()) -Scope Global'; Check = '$null -ne (Get-PSDrive IsoDrive -ErrorAction Ignore)' }
        @{ Kind = '$PSDefaultParameterValues'; Set = '$global:PSDefaultParameterValues["Get-Date:Format"] = "yyyy"'; Check = '$global:PSDefaultParameterValues.Count -gt 0' }
        @{ Kind = 'location'; Set = 'Set-Location -Path ([IO.Path]::GetPathRoot($PWD.Path))'; Check = '$PWD.ProviderPath -ne $args[0]' }
        @{ Kind = 'language mode'; Set = '$ExecutionContext.SessionState.LanguageMode = "ConstrainedLanguage"'; Check = '"$($ExecutionContext.SessionState.LanguageMode)" -ne "FullLanguage"' }
    )
}

Describe 'Isolation' {
    BeforeAll {
        $ProgressPreference = 'SilentlyContinue'
        $script:FormatFile = Join-Path ([IO.Path]::GetTempPath()) 'psthreading-isolation.format.ps1xml'
        @'
<Configuration><ViewDefinitions><View><Name>IsoView</Name><ViewSelectedBy><TypeName>PSThreading.Iso.Thing</TypeName></ViewSelectedBy>
<TableControl><TableHeaders><TableColumnHeader/></TableHeaders><TableRowEntries><TableRowEntry><TableColumnItems>
<TableColumnItem><PropertyName>A</PropertyName></TableColumnItem></TableColumnItems></TableRowEntry></TableRowEntries></TableControl></View></ViewDefinitions></Configuration>
'@ | Set-Content -Path $script:FormatFile
        function script:Invoke-Worker([string] $Text) {
            Start-WorkerThread ([scriptblock]::Create($Text)) -ArgumentList $PWD.ProviderPath | Wait-WorkerThread
        }
        function script:Invoke-PoolCall([string] $Text) {
            # One worker: the next call surely gets the runspace this one used.
            1 | Invoke-ThreadPool ([scriptblock]::Create($Text)) -ThrottleLimit 1 -ArgumentList $PWD.ProviderPath
        }
    }
    AfterAll {
        Remove-Item $script:FormatFile -ErrorAction Ignore
    }

    Context 'a new runspace' {
        It 'imports Microsoft.PowerShell.Utility as it opens once workers have used it (no autoload in its first item)' {
            # A new process: every runspace here is opened by the calls below. Get-Module is a core command: asking for
            # it autoloads nothing. Pool runspaces and Start-WorkerThread runspaces are kept apart (by host), so the
            # worker's runspace is opened after the pool's item used Start-Sleep; -UseNewRunspace cleans the runspace
            # after each item, which is where the autoload is seen.
            $child = Invoke-ChildPwsh -TimeoutSeconds 120 -Script @'
$probe = { @(Get-Module Microsoft.PowerShell.Utility).Count }
$before = 1 | Invoke-ThreadPool $probe
$null = 1..2 | Invoke-ThreadPool { Start-Sleep -Milliseconds 1 } -UseNewRunspace -ThrottleLimit 1
$after = Start-WorkerThread $probe | Wait-WorkerThread
"before=$before after=$after"
'@
            $child.ExitCode | Should -Be 0
            $child.Output[-1] | Should -Be 'before=0 after=1'
        }
    }

    Context 'a reused runspace is as good as new' {
        BeforeAll {
            $script:Here = Join-Path ([IO.Path]::GetTempPath()) "psthreading-iso-$PID"
            $null = New-Item -ItemType Directory -Path $script:Here -Force
            Push-Location $script:Here
        }
        AfterAll {
            Pop-Location
            Remove-Item $script:Here -Recurse -ErrorAction Ignore
        }

        It 'a <Kind> set by a worker is absent in the next worker and the next pool call' -TestCases $StateKinds {
            param($Kind, $Set, $Check)
            # Errors of the state-changing item itself (a pool loop cannot go on in another language mode) do not matter here.
            Invoke-Worker "$Set; $Check" | Should -BeTrue -Because 'the worker itself sees what it set'
            Invoke-Worker $Check | Should -BeFalse
            Invoke-PoolCall $Check | Should -BeFalse
        }

        It 'a <Kind> set by a pool call is absent in the next pool call and the next worker' -TestCases $StateKinds {
            param($Kind, $Set, $Check)
            $null = Invoke-PoolCall "$Set; $Check" 2>$null
            Invoke-PoolCall $Check | Should -BeFalse
            Invoke-Worker $Check | Should -BeFalse
        }

        It 'still reuses the runspace after a worker that left only what can be undone (child pwsh)' {
            # Cmdlets of modules that load by themselves (Management, Utility) do not cost the runspace either. In a
            # process of its own, the first worker's runspace is the only one: once its cleaning has made it idle, the
            # second worker gets it; a cleaning that gave it up closed it instead, and nothing becomes idle. Here, other
            # runspaces returned after it would be taken first (the warmest goes first), so which one comes is luck.
            $run = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$idleCount = (Get-Module PSThreading).ImplementingAssembly.GetType('PSThreading.Runspaces.RunspaceCache', $true).GetProperty('IdleCount', [Reflection.BindingFlags]'NonPublic, Public, Static')
$first = Start-WorkerThread { $global:x = 1; function global:f {}; Set-Alias -Name ga -Value Get-Date -Scope Global; $null = Get-ChildItem; $null = ConvertTo-Json 1; [runspace]::DefaultRunspace.InstanceId } | Wait-WorkerThread
$deadline = [datetime]::UtcNow.AddSeconds(10)
while ($idleCount.GetValue($null) -lt 1 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
$second = Start-WorkerThread { [runspace]::DefaultRunspace.InstanceId } | Wait-WorkerThread
"same: $($first -eq $second)"
'@
            $run.ExitCode | Should -Be 0
            $run.Output[-1] | Should -Be 'same: True'
        }
    }

    Context 'pool items' {
        It 'starts each item in the caller''s location, even after an earlier item moved (<Shape> loop)' -TestCases @(
            @{ Shape = 'per-item'; Switch = @{ UseNewRunspace = $true } }
            @{ Shape = 'long-lived'; Switch = @{} }
        ) {
            param($Shape, $Switch)
            $here = $PWD.ProviderPath
            $places = 1..4 | Invoke-ThreadPool { $PWD.ProviderPath; Set-Location ([IO.Path]::GetPathRoot($PWD.Path)) } -ThrottleLimit 1 @Switch
            $places | Should -Be @($here, $here, $here, $here)
        }

        It 'with -UseNewRunspace, gives each item the state of a new runspace' {
            $seen = 1..4 | Invoke-ThreadPool {
                [bool](Get-Variable IsoItemVar -Scope Global -ErrorAction Ignore)
                [bool](Get-Command Get-IsoItemThing -ErrorAction Ignore)
                $global:IsoItemVar = 1
                function global:Get-IsoItemThing { 1 }
            } -ThrottleLimit 1 -UseNewRunspace
            $seen | Should -Not -Contain $true
        }

        It 'without -UseNewRunspace, items of one call on one worker share globals; the next call does not' {
            $seen = 1..3 | Invoke-ThreadPool { $global:IsoShared++; $global:IsoShared } -ThrottleLimit 1
            $seen | Should -Be @(1, 2, 3)
            1 | Invoke-ThreadPool { $null -eq $global:IsoShared } -ThrottleLimit 1 | Should -BeTrue
        }

        It 'gives each item its own scope through the <Shape> loop' -TestCases @(
            @{ Shape = 'inlined'; Block = { $_ * 2 }; Inlines = $true; Expected = @(2, 4, 6) }
            @{ Shape = 'calling'; Block = { $x = $x + $_; $x }; Inlines = $false; Expected = @(1, 2, 3) }
        ) {
            param($Shape, $Block, $Inlines, $Expected)
            $loop = (Get-Module PSThreading).ImplementingAssembly.GetType('PSThreading.Pool.PoolLoopScript')
            $loop.GetMethod('CanInline', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @($Block.Ast)) | Should -Be $Inlines
            1..3 | Invoke-ThreadPool $Block -ThrottleLimit 1 -Ordered | Should -Be $Expected
        }

        It 'does not carry <Case> from one item to the next' -TestCases @(
            @{ Case = 'Tee-Object -Variable'; Block = { if ($x) { 'leaked' } else { $_ | Tee-Object -Variable x } } }
            @{ Case = 'Invoke-Expression'; Block = { if ($x) { 'leaked' } else { $_; Invoke-Expression '$x = 1' } } }
            @{ Case = 'PSVariable.Set'; Block = { if ($x) { 'leaked' } else { $_; $ExecutionContext.SessionState.PSVariable.Set('x', 1) } } }
            @{ Case = 'an -OutVariable'; Block = { if ($x) { 'leaked' } else { Write-Output $_ -OutVariable x } } }
        ) {
            param($Case, $Block)
            1..3 | Invoke-ThreadPool $Block -ThrottleLimit 1 -Ordered | Should -Be @(1, 2, 3)
        }

        It 'inlines only expressions over $_, constants and $using: values' -TestCases @(
            @{ Text = '$_ * 2'; Inlines = $true }
            @{ Text = '"item $_"; $_.Length; [int]$_ + $using:n'; Inlines = $true }
            @{ Text = '$_.ToString()'; Inlines = $false }
            @{ Text = 'Write-Output $_'; Inlines = $false }
            @{ Text = '$y'; Inlines = $false }
            @{ Text = '$_ > $null'; Inlines = $false }
            @{ Text = '& { $_ }'; Inlines = $false }
        ) {
            param($Text, $Inlines)
            $loop = (Get-Module PSThreading).ImplementingAssembly.GetType('PSThreading.Pool.PoolLoopScript')
            $loop.GetMethod('CanInline', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @([scriptblock]::Create($Text).Ast)) | Should -Be $Inlines
        }
    }

    Context 'language mode' {
        It 'runs every path of a ConstrainedLanguage caller in ConstrainedLanguage' {
            $child = Invoke-ChildPwsh -TimeoutSeconds 120 -Script @'
$ProgressPreference = 'SilentlyContinue'
# A FullLanguage worker first, so a warm FullLanguage runspace is there to be (wrongly) reused.
$null = Start-WorkerThread { 1 } | Wait-WorkerThread
$null = 1..2 | Invoke-ThreadPool { $_ }
$value = 5
$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'
$probe = { try { $null = [System.IO.File]::ReadAllText($PSCommandPath); 'FullLanguage' } catch { "$($ExecutionContext.SessionState.LanguageMode)" } }
"worker=" + (Start-WorkerThread { "$($ExecutionContext.SessionState.LanguageMode)" } | Wait-WorkerThread)
"worker-dotnet=" + (Start-WorkerThread { try { [System.IO.File]::Exists('/'); 'FullLanguage' } catch { 'refused' } } | Wait-WorkerThread)
"worker-using=" + (Start-WorkerThread { "$using:value $($ExecutionContext.SessionState.LanguageMode)" } | Wait-WorkerThread)
"worker-args=" + (Start-WorkerThread { param($a) "$a $($ExecutionContext.SessionState.LanguageMode)" } -ArgumentList 7 | Wait-WorkerThread)
"pool-inline=" + ((1..3 | Invoke-ThreadPool { $_ * 2 } -Ordered) -join ',')
"pool=" + ((1..3 | Invoke-ThreadPool { "$($ExecutionContext.SessionState.LanguageMode)" }) | Sort-Object -Unique)
"pool-dotnet=" + ((1..2 | Invoke-ThreadPool { try { [System.IO.File]::Exists('/'); 'FullLanguage' } catch { 'refused' } }) | Sort-Object -Unique)
"pool-addtype=" + (1 | Invoke-ThreadPool { try { Add-Type -TypeDefinition 'public class IsoProbe {}'; 'FullLanguage' } catch { 'refused' } })
"pool-using-args=" + ((1..2 | Invoke-ThreadPool { param($a) "$_ $a $using:value $($ExecutionContext.SessionState.LanguageMode)" } -ArgumentList 9 -Ordered) -join ',')
'@
            $child.ExitCode | Should -Be 0
            $child.Output | Should -Contain 'worker=ConstrainedLanguage'
            $child.Output | Should -Contain 'worker-dotnet=refused'
            $child.Output | Should -Contain 'worker-using=5 ConstrainedLanguage'
            $child.Output | Should -Contain 'worker-args=7 ConstrainedLanguage'
            $child.Output | Should -Contain 'pool-inline=2,4,6'
            $child.Output | Should -Contain 'pool=ConstrainedLanguage'
            $child.Output | Should -Contain 'pool-dotnet=refused'
            $child.Output | Should -Contain 'pool-addtype=refused'
            $child.Output | Should -Contain 'pool-using-args=1 9 5 ConstrainedLanguage,2 9 5 ConstrainedLanguage'
        }

        It 'never hands a ConstrainedLanguage runspace to a FullLanguage caller' {
            $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$ProgressPreference = 'SilentlyContinue'
$rs = [runspacefactory]::CreateRunspace($Host); $rs.Open()
$ps = [powershell]::Create(); $ps.Runspace = $rs
$null = $ps.AddScript("Import-Module '$((Get-Module PSThreading).Path -replace '\.dll$', '.psd1')'; `$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'; Start-WorkerThread { 1 } | Wait-WorkerThread; 1 | Invoke-ThreadPool { `$_ }").Invoke()
"worker=" + (Start-WorkerThread { "$($ExecutionContext.SessionState.LanguageMode)" } | Wait-WorkerThread)
"pool=" + (1 | Invoke-ThreadPool { "$($ExecutionContext.SessionState.LanguageMode)" })
'@
            $child.ExitCode | Should -Be 0
            $child.Output | Should -Contain 'worker=FullLanguage'
            $child.Output | Should -Contain 'pool=FullLanguage'
        }
    }

    Context 'the module''s insides' {
        BeforeAll {
            # What an item's block can find in the variables it sees: the pool's plumbing would be a delegate or
            # an object of this module's types (today's items see none, so any is plumbing).
            $script:PlumbingProbe = {
                $found = @(Get-Variable | Where-Object {
                        $value = $_.Value
                        $value -is [Delegate] -or ($null -ne $value -and $value.GetType().Assembly.GetName().Name -like 'PSThreading*')
                    } | ForEach-Object Name)
                $bound = @((Get-Variable -Name PSBoundParameters -Scope 1 -ValueOnly -ErrorAction Ignore).Keys)
                ($found + $bound | Sort-Object -Unique) -join ','
            }
        }

        It 'gives an item no variable that reaches the pool''s plumbing (<Path>)' -TestCases @(
            @{ Path = 'calling loop'; Extra = @{} }
            @{ Path = 'one invocation per item'; Extra = @{ UseNewRunspace = $true } }
        ) {
            param($Path, $Extra)
            $seen = 1..2 | Invoke-ThreadPool $script:PlumbingProbe -ThrottleLimit 1 @Extra
            $seen | Should -Be @('', '')
        }

        It 'lets the inlined loop inline no block that names a variable of the loop' {
            $loop = (Get-Module PSThreading).ImplementingAssembly.GetType('PSThreading.Pool.PoolLoopScript')
            $canInline = $loop.GetMethod('CanInline', [Reflection.BindingFlags]'NonPublic,Static')
            $script = $loop.GetMethod('For').Invoke($null, @({ $_ * 2 }))
            $ast = [Management.Automation.Language.Parser]::ParseInput($script, [ref] $null, [ref] $null)
            $names = @($ast.FindAll({ param($n) $n -is [Management.Automation.Language.VariableExpressionAst] }, $true) |
                    ForEach-Object { $_.VariablePath.UserPath } | Where-Object { $_ -notin '_', 'PSItem', 'true', 'false', 'null' } | Sort-Object -Unique)
            $names | Should -Not -BeNullOrEmpty
            foreach ($name in $names) {
                foreach ($text in "`$$name", "`${$name}", "`"`$$name`"", "`$_ + `$$name") {
                    $canInline.Invoke($null, @([scriptblock]::Create($text).Ast)) | Should -BeFalse -Because "$text reads the loop's own variable"
                }
            }
        }
    }

    Context 'the trim timer' {
        It 'runs only while idle runspaces could be trimmed, and stops at Remove-Module' {
            $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @'
$cache = (Get-Module PSThreading).ImplementingAssembly.GetType('PSThreading.Runspaces.RunspaceCache')
$timer = $cache.GetField('s_trimTimer', [Reflection.BindingFlags]'NonPublic,Static')
"before=" + ($null -ne $timer.GetValue($null))
# Four at once (each waits for the gate), so four runspaces come back idle.
$gate = [Threading.ManualResetEventSlim]::new($false)
$threads = 1..4 | ForEach-Object { Start-WorkerThread { param($gate) $null = $gate.Wait(30000) } -ArgumentList $gate }
$gate.Set()
$null = $threads | Wait-WorkerThread
# The timer starts as the third runspace comes back idle, just after the worker's join returns.
$deadline = [datetime]::UtcNow.AddSeconds(10)
while ($null -eq $timer.GetValue($null) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"busy=" + ($null -ne $timer.GetValue($null))
# The idle lifetime is 5 s: the timer closes the extra runspaces, then stops.
$deadline = [datetime]::UtcNow.AddSeconds(20)
while ($null -ne $timer.GetValue($null) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
"trimmed=" + ($null -ne $timer.GetValue($null)) + " idle=" + $cache::IdleCount
# Four at once (each waits for the gate), so four runspaces come back idle.
$gate = [Threading.ManualResetEventSlim]::new($false)
$threads = 1..4 | ForEach-Object { Start-WorkerThread { param($gate) $null = $gate.Wait(30000) } -ArgumentList $gate }
$gate.Set()
$null = $threads | Wait-WorkerThread
# The timer starts as the third runspace comes back idle, just after the worker's join returns.
$deadline = [datetime]::UtcNow.AddSeconds(10)
while ($null -eq $timer.GetValue($null) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
"again=" + ($null -ne $timer.GetValue($null))
Remove-Module PSThreading
"removed=" + ($null -ne $timer.GetValue($null))
'@
            $child.ExitCode | Should -Be 0
            $child.Output | Should -Be @('before=False', 'busy=True', 'trimmed=False idle=2', 'again=True', 'removed=False')
        }
    }
}

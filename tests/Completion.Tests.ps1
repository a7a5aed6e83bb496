BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

# Tab completion of live thread names and named locks. The completer classes are tested directly; the cases that go
# through TabExpansion2 check that each parameter is wired to its completer, and fail (saying what to add)
# when it is not.

Describe 'Thread completers' {
    BeforeAll {
        $block = { Start-Sleep -Seconds 30 }
        $spaced = Start-WorkerThread -Name 'probe thread' -Daemon -ScriptBlock $block
        $plain = Start-WorkerThread -Name 'probe-plain' -Daemon -ScriptBlock $block

        # The completers are internal: PowerShell still creates them for the parameters they are attached to.
        function Complete {
            param([string] $Completer, [string] $Word)
            $type = (Get-Module PSThreading).ImplementingAssembly.GetType($Completer, $true)
            [Activator]::CreateInstance($type).CompleteArgument('Any-Command', 'Any', $Word, $null, @{})
        }
    }

    AfterAll {
        $spaced, $plain | Stop-WorkerThread
        $null = $spaced, $plain | Wait-WorkerThread -Timeout 5 -ErrorAction Ignore
    }

    It 'ThreadNameCompleter offers live names that start with the typed word, quoting where needed' {
        $results = Complete 'PSThreading.Completion.ThreadNameCompleter' 'probe'
        $results.ListItemText | Should -Be @('probe thread', 'probe-plain')
        $results.CompletionText | Should -Be @("'probe thread'", 'probe-plain')
        $results[0].ToolTip | Should -Match "Id $($spaced.ManagedThreadId)"
    }

    It 'ThreadNameCompleter ignores case and a quote the user opened' {
        (Complete 'PSThreading.Completion.ThreadNameCompleter' "'PROBE-p").ListItemText | Should -Be 'probe-plain'
    }

    It 'ThreadNameCompleter offers the main thread' {
        (Complete 'PSThreading.Completion.ThreadNameCompleter' 'MainT').CompletionText | Should -Be 'MainThread'
    }

    It 'ThreadNameCompleter forgets threads that have ended' {
        $ended = Start-WorkerThread -Name 'probe-ended' -ScriptBlock { 1 }
        $null = $ended | Wait-WorkerThread
        (Complete 'PSThreading.Completion.ThreadNameCompleter' 'probe-e') | Should -BeNullOrEmpty
    }

    It 'WorkerThreadCompleter inserts an expression that gives back exactly that thread' {
        $result = Complete 'PSThreading.Completion.WorkerThreadCompleter' 'probe-p'
        $result.ListItemText | Should -Be 'probe-plain'
        $thread = Invoke-Expression $result.CompletionText
        $thread.ManagedThreadId | Should -Be $plain.ManagedThreadId
    }

    It 'WorkerThreadCompleter leaves out the main thread, which cannot be waited for or stopped' {
        Complete 'PSThreading.Completion.WorkerThreadCompleter' 'Main' | Should -BeNullOrEmpty
    }
}

Describe 'Tab completion of <Command> -<Parameter>' -ForEach @(
    @{ Command = 'Get-ActiveThread'; Parameter = 'Name'; Completer = 'PSThreading.Completion.ThreadNameCompleter'; Expected = 'probe-tab' }
    @{ Command = 'Wait-WorkerThread'; Parameter = 'Thread'; Completer = 'PSThreading.Completion.WorkerThreadCompleter'; Expected = 'probe-tab' }
    @{ Command = 'Stop-WorkerThread'; Parameter = 'Thread'; Completer = 'PSThreading.Completion.WorkerThreadCompleter'; Expected = 'probe-tab' }
    @{ Command = 'Wait-WorkerThread'; Parameter = 'Name'; Completer = 'PSThreading.Completion.ThreadNameCompleter'; Expected = 'probe-tab' }
    @{ Command = 'Stop-WorkerThread'; Parameter = 'Name'; Completer = 'PSThreading.Completion.ThreadNameCompleter'; Expected = 'probe-tab' }
    @{ Command = 'Remove-ThreadLock'; Parameter = 'Name'; Completer = 'PSThreading.Completion.LockNameCompleter'; Expected = 'probe-tab' }
    @{ Command = 'Invoke-WithLock'; Parameter = 'Name'; Completer = 'PSThreading.Completion.LockNameCompleter'; Expected = 'probe-tab' }
) {
    BeforeAll {
        $thread = Start-WorkerThread -Name 'probe-tab' -Daemon -ScriptBlock { Start-Sleep -Seconds 30 }
        $null = New-ThreadLock -Name 'probe-tab'
    }

    AfterAll {
        $thread | Stop-WorkerThread
        Remove-ThreadLock -Name 'probe-tab' -ErrorAction Ignore
    }

    It 'offers live names' {
        $commandInfo = Get-Command $Command -Module PSThreading -ErrorAction Ignore
        $commandInfo | Should -Not -BeNullOrEmpty -Because "the module exports $Command"
        $metadata = $commandInfo.Parameters[$Parameter]
        $metadata | Should -Not -BeNullOrEmpty -Because "$Command has a -$Parameter parameter"
        $wired = @($metadata.Attributes | Where-Object { $_ -is [ArgumentCompleter] -and $_.Type.FullName -eq $Completer })
        $wired | Should -Not -BeNullOrEmpty -Because "-$Parameter of $Command needs [ArgumentCompleter(typeof($Completer))]"

        $line = "$Command -$Parameter probe-t"
        $completions = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completions.CompletionMatches.ListItemText | Should -Contain $Expected
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Wait-WorkerThread: every stream of a worker comes back through the join (issue 13)' {
    AfterEach { Stop-LeftoverWorker }

    It 'writes warnings through the caller''s warning stream (3>&1)' {
        $thread = Start-WorkerThread { Write-Warning 'careful' }
        $out = @(Wait-WorkerThread $thread -Timeout 20 3>&1)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType System.Management.Automation.WarningRecord
        $out[0].Message | Should -Be 'careful'
    }

    It 'writes verbose records of a worker started with -Verbose (4>&1), and none without' {
        $thread = Start-WorkerThread -Verbose { Write-Verbose 'detail' }
        $out = @(Wait-WorkerThread $thread -Timeout 20 4>&1)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType System.Management.Automation.VerboseRecord
        $out[0].Message | Should -Be 'detail'

        $quiet = Start-WorkerThread { Write-Verbose 'hidden' }
        @(Wait-WorkerThread $quiet -Timeout 20 4>&1).Count | Should -Be 0
    }

    It 'writes debug records of a worker started with -Debug (5>&1)' {
        $thread = Start-WorkerThread -Debug { Write-Debug 'inner' }
        $out = @(Wait-WorkerThread $thread -Timeout 20 5>&1)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType System.Management.Automation.DebugRecord
        $out[0].Message | Should -Be 'inner'
    }

    It 'writes information records (6>&1) and fills -InformationVariable' {
        $thread = Start-WorkerThread { Write-Information 'note' -Tags 'mine' }
        $out = @(Wait-WorkerThread $thread -Timeout 20 -InformationVariable info 6>&1)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType System.Management.Automation.InformationRecord
        "$($out[0].MessageData)" | Should -Be 'note'
        $out[0].Tags | Should -Contain 'mine'
        "$($info[0].MessageData)" | Should -Be 'note'
    }

    It 'keeps the order written across output and every stream (*>&1)' {
        $thread = Start-WorkerThread -Verbose -Debug {
            'out-1'; Write-Warning 'warn'; Write-Verbose 'verb'; 'out-2'; Write-Debug 'dbg'
            Write-Information 'info'; Write-Error 'err'; 'out-3'
        }
        $out = Wait-WorkerThread $thread -Timeout 20 *>&1
        $kinds = $out | ForEach-Object { $_.GetType().Name }
        $kinds | Should -Be 'String', 'WarningRecord', 'VerboseRecord', 'String', 'DebugRecord', 'InformationRecord', 'ErrorRecord', 'String'
        ($out | Where-Object { $_ -is [string] }) | Should -Be 'out-1', 'out-2', 'out-3'
    }

    It 'fills -WarningVariable with the worker''s own record, and -WarningAction SilentlyContinue shows nothing' {
        $thread = Start-WorkerThread { Write-Warning 'kept' }
        $shown = @(Wait-WorkerThread $thread -Timeout 20 -WarningVariable warned -WarningAction SilentlyContinue 3>&1)
        $shown.Count | Should -Be 0
        $warned.Count | Should -Be 1
        $warned[0].Message | Should -Be 'kept'
        # The worker's record itself, not a copy made by the Wait.
        $warned[0].InvocationInfo.MyCommand.Name | Should -Not -Be 'Wait-WorkerThread'
    }

    It 'gives preferences of Start-WorkerThread and the caller''s preference variables to the worker' {
        $silenced = Start-WorkerThread -WarningAction SilentlyContinue { Write-Warning 'dropped'; $WarningPreference.ToString() }
        Wait-WorkerThread $silenced -Timeout 20 3>&1 | Should -Be 'SilentlyContinue'

        $ignored = Start-WorkerThread -InformationAction Ignore { Write-Information 'dropped'; 'done' }
        Wait-WorkerThread $ignored -Timeout 20 6>&1 | Should -Be 'done'

        $VerbosePreference = 'Continue'
        $inherited = Start-WorkerThread { Write-Verbose 'from the caller''s preference' }
        $VerbosePreference = 'SilentlyContinue'
        $out = @(Wait-WorkerThread $inherited -Timeout 20 4>&1)
        $out.Count | Should -Be 1
        $out[0].Message | Should -Be 'from the caller''s preference'
    }

    It 'fills -ErrorVariable with errors that name the thread and keep the exception and error id' {
        $thread = Start-WorkerThread -Name 'streams-err' { Get-ThingThatDoesNotExist; Write-Error 'custom' -ErrorId 'MyErrorId' }
        $null = Wait-WorkerThread $thread -Timeout 20 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 2
        "$($failed[0])" | Should -BeLike '`[streams-err`] *Get-ThingThatDoesNotExist*'
        $failed[0].Exception | Should -BeOfType System.Management.Automation.CommandNotFoundException
        $failed[0].FullyQualifiedErrorId | Should -Be 'CommandNotFoundException'
        "$($failed[1])" | Should -Be '[streams-err] custom'
        $failed[1].FullyQualifiedErrorId | Should -Be 'MyErrorId'
        $failed[1].Exception.Message | Should -Be 'custom'
    }

    It 'names the thread in the record of a thread that failed' {
        $thread = Start-WorkerThread -Name 'streams-fail' { throw 'gone wrong' }
        $null = Wait-WorkerThread $thread -Timeout 20 -ErrorVariable failed -ErrorAction SilentlyContinue
        "$($failed[-1])" | Should -BeLike "*'streams-fail'*gone wrong*"
    }

    It 'tells with HasMoreData whether the thread holds unread results' {
        $thread = Start-WorkerThread { Write-Warning 'unread' }
        Wait-Until { -not $thread.IsAlive } -Seconds 20
        $thread.HasMoreData | Should -BeTrue
        $null = Wait-WorkerThread $thread -Timeout 20 3>&1
        $thread.HasMoreData | Should -BeFalse
    }
}

Describe 'Wait-WorkerThread: records stream out while it waits' {
    AfterEach { Stop-LeftoverWorker }

    It 'writes a record before the thread ends<Case>' -TestCases @(
        @{ Case = ''; Switches = @{} }
        @{ Case = ' (-Timeout)'; Switches = @{ Timeout = 30 } }
        @{ Case = ' (-Any)'; Switches = @{ Any = $true } }
        @{ Case = ' (-AsCompleted)'; Switches = @{ AsCompleted = $true } }
    ) {
        param($Case, $Switches)
        # The worker goes on only once the caller has seen its warning: possible only if it streams.
        $seen = New-ThreadEvent -Name "streams-seen-$([guid]::NewGuid())"
        $thread = Start-WorkerThread -ArgumentList $seen { param($e) Write-Warning 'halfway'; if ($e.Wait(10)) { 'seen' } else { 'not seen' } }
        $out = Wait-WorkerThread $thread @Switches 3>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.WarningRecord]) { $seen.Set() }
            $_
        }
        $out[0].Message | Should -Be 'halfway'
        $out[1] | Should -Be 'seen'
    }

    It 'keeps each thread''s items in order and the threads in the order given' {
        $go = New-ThreadEvent -Name "streams-go-$([guid]::NewGuid())"
        $first = Start-WorkerThread -ArgumentList $go { param($e) 'a-1'; if ($e.Wait(10)) { 'a-2' } else { 'a-late' } }
        $second = Start-WorkerThread { 'b-1'; 'b-2' }
        Wait-Until { -not $second.IsAlive } -Seconds 20
        $out = Wait-WorkerThread $first, $second -Timeout 30 | ForEach-Object { if ($_ -eq 'a-1') { $go.Set() }; $_ }
        $out | Should -Be 'a-1', 'a-2', 'b-1', 'b-2'
    }
}

Describe 'Start-WorkerThread -HoldHostOutput' {
    AfterEach { Stop-LeftoverWorker }

    It 'keeps Write-Host for the join, captured by 6>&1' {
        $thread = Start-WorkerThread -HoldHostOutput { Write-Host 'held line'; 'out' }
        $out = @(Wait-WorkerThread $thread -Timeout 20 6>&1)
        $out.Count | Should -Be 2
        $out[0] | Should -BeOfType System.Management.Automation.InformationRecord
        "$($out[0].MessageData)" | Should -Be 'held line'
        $out[0].Tags | Should -Contain 'PSHOST'
        $out[1] | Should -Be 'out'
    }

    It 'without it, Write-Host is shown live and not written again by the join' {
        $thread = Start-WorkerThread { Write-Host 'live line'; 'out' }
        $out = @(Wait-WorkerThread $thread -Timeout 20 6>&1)
        $out | Should -Be 'out'
        $thread.HasMoreData | Should -BeFalse
    }
}

Describe 'A thread that fails while nobody waits on it' {
    It 'prints one line naming the thread and pointing to Wait-WorkerThread; pwsh still exits 0' {
        $result = Invoke-ChildPwsh -Script @'
[Console]::SetError([Console]::Out)
$null = Start-WorkerThread -Name 'lonely' { throw 'no one listens' }
Start-Sleep -Milliseconds 1500
'end'
'@
        $result.ExitCode | Should -Be 0
        $lines = @($result.Output | Where-Object { $_ -like '*PSThreading: thread*' })
        $lines.Count | Should -Be 1
        $lines[0] | Should -BeLike "*'lonely'*no one listens*Wait-WorkerThread*"
        $result.Output | Should -Contain 'end'
    }

    It 'prints nothing for a thread that a Wait-WorkerThread waits on' {
        $result = Invoke-ChildPwsh -Script @'
[Console]::SetError([Console]::Out)
$thread = Start-WorkerThread -Name 'watched' { Start-Sleep -Milliseconds 500; throw 'seen by the join' }
$null = Wait-WorkerThread $thread -Timeout 20 -ErrorAction SilentlyContinue -ErrorVariable failed
"errors: $($failed.Count)"
'@
        $result.ExitCode | Should -Be 0
        @($result.Output | Where-Object { $_ -like '*PSThreading: thread*' }).Count | Should -Be 0
        $result.Output | Should -Contain 'errors: 1'
    }
}

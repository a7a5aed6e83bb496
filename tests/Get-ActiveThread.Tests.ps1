BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Get-ActiveThread' {
    AfterEach {
        Get-ActiveThread | Where-Object Kind -EQ 'Worker' | Stop-WorkerThread -WarningAction SilentlyContinue
    }

    It 'lists the main thread first, then live workers in start order' {
        $a = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name 'list-a'
        $b = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name 'list-b'
        $listed = Get-ActiveThread
        $listed[0].Name | Should -Be 'MainThread'
        $listed[0].IsMainThread | Should -BeTrue
        $names = $listed.Name
        [array]::IndexOf($names, 'list-a') | Should -BeLessThan ([array]::IndexOf($names, 'list-b'))
        (Get-ActiveThread).Count | Should -Be $listed.Count
    }

    It 'counts like active_count() and drops joined threads' {
        $before = (Get-ActiveThread).Count
        # The thread runs until the test lets it go: a 300 ms sleep could end before a loaded machine counted it.
        $gate = New-ThreadEvent
        $thread = Start-WorkerThread { $null = ($using:gate).Wait(30) }
        (Get-ActiveThread).Count | Should -Be ($before + 1)
        $gate.Set()
        $null = $thread | Wait-WorkerThread -Timeout 10
        (Get-ActiveThread).Count | Should -Be $before
        (Get-ActiveThread).Name | Should -Not -Contain $thread.Name
    }

    It 'filters by -Name with wildcards and by -Id' {
        $one = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name 'filter-one'
        $two = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name 'filter-two'
        (Get-ActiveThread -Name 'filter-*').Name | Should -Be @('filter-one', 'filter-two')
        (Get-ActiveThread 'FILTER-ONE').Name | Should -Be 'filter-one'
        (Get-ActiveThread -Id $two.ManagedThreadId).Name | Should -Be 'filter-two'
    }

    It 'binds -Id and -Name from the pipeline by value (42 | Get-ActiveThread, ''worker*'' | Get-ActiveThread)' {
        $tag = [guid]::NewGuid().ToString('n').Substring(0, 6)
        $one = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name "piped-$tag-one"
        $two = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name "piped-$tag-two"
        ($two.ManagedThreadId | Get-ActiveThread).Name | Should -Be $two.Name
        ($one.ManagedThreadId, $two.ManagedThreadId | Get-ActiveThread).Name | Should -Be @($one.Name, $two.Name)
        ("piped-$tag-*" | Get-ActiveThread).Name | Should -Be @($one.Name, $two.Name)
        ($one | Get-ActiveThread).ManagedThreadId | Should -Be $one.ManagedThreadId
        2147483000 | Get-ActiveThread -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -Be 'ThreadNotFound,PSThreading.Commands.GetActiveThreadCommand'
    }

    It 'lists only live threads without a filter, but finds an ended thread with unread output by -Name and -Id' {
        $thread = Start-WorkerThread { 'unread' }
        Wait-Until { -not $thread.IsAlive }
        (Get-ActiveThread).ManagedThreadId | Should -Not -Contain $thread.ManagedThreadId
        (Get-ActiveThread -Id $thread.ManagedThreadId).State | Should -Be 'Completed'
        (Get-ActiveThread -Name $thread.Name).PendingResultCount | Should -Be 1
        $thread | Wait-WorkerThread | Should -Be 'unread'
        Get-ActiveThread -Id $thread.ManagedThreadId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'gives live threads unique ids' {
        $null = 1..4 | ForEach-Object { Start-WorkerThread { Start-Sleep -Seconds 30 } }
        $ids = (Get-ActiveThread).ManagedThreadId
        ($ids | Select-Object -Unique).Count | Should -Be $ids.Count
    }

    It 'gives -Current: the main thread here, the worker inside a worker' {
        (Get-ActiveThread -Current).Name | Should -Be 'MainThread'
        $thread = Start-WorkerThread { $me = Get-ActiveThread -Current; $me.Name; $me.IsMainThread; (Get-ActiveThread -Main).Name } -Name 'who-am-i'
        $thread | Wait-WorkerThread -Timeout 10 | Should -Be @('who-am-i', $false, 'MainThread')
    }

    It 'shows the worker with its own id inside the worker' {
        $thread = Start-WorkerThread { (Get-ActiveThread -Current).ManagedThreadId; [Environment]::CurrentManagedThreadId }
        $ids = $thread | Wait-WorkerThread -Timeout 10
        $ids[0] | Should -Be $thread.ManagedThreadId
        $ids[1] | Should -Be $thread.ManagedThreadId
    }

    It 'reports a plain name that matches no live thread, but not a wildcard' {
        Get-ActiveThread -Name 'no-such-thread' -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -Be 'ThreadNotFound,PSThreading.Commands.GetActiveThreadCommand'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-ActiveThread -Name 'no-such-*' -ErrorVariable none | Should -BeNullOrEmpty
        $none | Should -BeNullOrEmpty
    }

    Context 'when the module is first imported on another thread (child pwsh)' {
        BeforeAll {
            # Runs a child pwsh without the up-front import Invoke-ChildPwsh adds: the first import is the script's.
            function Invoke-ChildScript([string] $Script) {
                $file = Join-Path ([IO.Path]::GetTempPath()) "psthreading-main-$([guid]::NewGuid().ToString('n')).ps1"
                "`$manifest = '$ModuleManifest'`n$Script" | Set-Content -Path $file
                try {
                    $lines = & $PwshPath -NoProfile -NonInteractive -File $file
                    [pscustomobject]@{ Output = @($lines); ExitCode = $LASTEXITCODE }
                }
                finally {
                    Remove-Item $file -ErrorAction Ignore
                }
            }
        }

        It 'keeps MainThread for the console''s thread after a first import in <Case>' -TestCases @(
            @{ Case = 'ForEach-Object -Parallel'; FirstImport = '1 | ForEach-Object -Parallel { Import-Module $using:manifest; (Get-ActiveThread -Current).ManagedThreadId }' }
            @{ Case = 'a [powershell] on a runspace opened with the console''s host'; FirstImport = @'
$runspace = [runspacefactory]::CreateRunspace($Host); $runspace.Open()
$ps = [powershell]::Create(); $ps.Runspace = $runspace
$ps.AddScript("Import-Module '$manifest'; (Get-ActiveThread -Current).ManagedThreadId").Invoke()
$ps.Dispose(); $runspace.Dispose()
'@ }
        ) {
            param($Case, $FirstImport)
            $run = Invoke-ChildScript @"
`$other = $FirstImport
Import-Module `$manifest
"other=`$other"
"self=`$([Environment]::CurrentManagedThreadId)"
"main=`$((Get-ActiveThread -Main).ManagedThreadId)"
"current=`$((Get-ActiveThread -Current).Name)"
"listed=`$((Get-ActiveThread)[0].ManagedThreadId)"
"@
            $run.ExitCode | Should -Be 0
            $values = @{}
            foreach ($line in $run.Output) { $key, $value = $line -split '=', 2; $values[$key] = $value }
            $values.other | Should -Not -BeNullOrEmpty
            $values.other | Should -Not -Be $values.self -Because 'the first import ran on another thread'
            $values.main | Should -Be $values.self
            $values.current | Should -Be 'MainThread'
            $values.listed | Should -Be $values.self
        }

        It 'keeps the first importer as MainThread when no console runspace imports (hosted)' {
            $run = Invoke-ChildScript @'
$ps = [powershell]::Create()
$ps.AddScript("Import-Module '$manifest'; `$a = (Get-ActiveThread -Main).ManagedThreadId; `$b = [Environment]::CurrentManagedThreadId; `$c = (Get-ActiveThread -Current).Name; `"`$a `$b `$c`"").Invoke()
'@
            $run.ExitCode | Should -Be 0
            $main, $self, $name = "$($run.Output)" -split ' '
            $main | Should -Be $self
            $name | Should -Be 'MainThread'
        }
    }

    It 'refuses an empty -Name' {
        { Get-ActiveThread -Name '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,PSThreading.Commands.GetActiveThreadCommand'
    }
}

Describe 'Get-ActiveThread from the pipeline and from other threads' {
    AfterEach { Stop-LeftoverWorker }

    It 'binds -Id by property name: an object with an Id finds its thread (PoshRSJob does this)' {
        $t = Start-WorkerThread { Start-Sleep -Seconds 30 } -Name 'by-property-id'
        $found = [pscustomobject]@{ Id = $t.ManagedThreadId } | Get-ActiveThread -ErrorVariable failed
        $failed.Count | Should -Be 0
        $found.Name | Should -Be 'by-property-id'
        ([pscustomobject]@{ Name = 'by-property-id' } | Get-ActiveThread).ManagedThreadId | Should -Be $t.ManagedThreadId
        ($t | Get-ActiveThread).Name | Should -Be 'by-property-id'
        ('by-property-id' | Get-ActiveThread).Name | Should -Be 'by-property-id'
        ($t.ManagedThreadId | Get-ActiveThread).Name | Should -Be 'by-property-id'
    }

    It 'says so when a piped object has neither Name nor Id' {
        [pscustomobject]@{ Other = 1 } | Get-ActiveThread -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].Exception.Message | Should -Match 'no Name or Id property'
    }

    It 'lists a thread it did not start once -Current was asked on it, while that thread lives (Python lists its dummy threads)' {
        $ready = [Threading.ManualResetEventSlim]::new($false)
        $release = [Threading.ManualResetEventSlim]::new($false)
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($manifest, $ready, $release)
                Import-Module $manifest
                $me = Get-ActiveThread -Current
                $ready.Set()
                $null = $release.Wait(30000)
                $me
            }).AddArgument($ModuleManifest).AddArgument($ready).AddArgument($release)
            $async = $ps.BeginInvoke()
            $ready.Wait(30000) | Should -BeTrue
            $listed = @(Get-ActiveThread | Where-Object Kind -EQ 'Foreign')
            $listed.Count | Should -Be 1
            $listed[0].Name | Should -BeLike 'Dummy-*'
            $release.Set()
            $me = $ps.EndInvoke($async)
            $me.Name | Should -Be $listed[0].Name
        }
        finally {
            $release.Set()
            $ps.Dispose()
        }
    }
}

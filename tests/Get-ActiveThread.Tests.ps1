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
        $thread = Start-WorkerThread { Start-Sleep -Milliseconds 300 }
        (Get-ActiveThread).Count | Should -Be ($before + 1)
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

    It 'refuses an empty -Name' {
        { Get-ActiveThread -Name '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,PSThreading.Commands.GetActiveThreadCommand'
    }
}

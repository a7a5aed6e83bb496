BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Remove-ThreadLock' {
    AfterEach { Stop-LeftoverWorker }

    It 'drops a name of any kind: the name then gives a new object' -TestCases @(
        @{ Make = { param($n) New-ThreadLock -Name $n } }, @{ Make = { param($n) New-ThreadEvent -Name $n } },
        @{ Make = { param($n) New-ThreadQueue -Name $n } }, @{ Make = { param($n) New-ThreadBarrier 2 -Name $n } }
    ) {
        param($Make)
        $name = "drop-$([guid]::NewGuid())"
        $first = & $Make $name
        Remove-ThreadLock -Name $name
        [object]::ReferenceEquals($first, (& $Make $name)) | Should -BeFalse
    }

    It 'refuses a held lock and a waited-on event (NamedObjectInUse); an unknown name is NamedObjectNotFound' {
        $name = "held-$([guid]::NewGuid())"
        $lock = New-ThreadLock -Name $name
        $null = $lock.Acquire()
        { Remove-ThreadLock $name } | Should -Throw -ErrorId 'NamedObjectInUse,*' -ExpectedMessage '*held*'
        $lock.Release()
        $event = New-ThreadEvent -Name "waited-$name"
        $worker = Start-WorkerThread -ArgumentList $event { param($e) $e.Wait(30) }
        Wait-Until { $event.Waiters.Count -eq 1 } -Seconds 20
        { Remove-ThreadLock "waited-$name" } | Should -Throw -ErrorId 'NamedObjectInUse,*' -ExpectedMessage '*waits on it*'
        $event.Set()
        $worker | Wait-WorkerThread -Timeout 20
        Remove-ThreadLock $name, "waited-$name"
        Remove-ThreadLock $name -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.FullyQualifiedErrorId | Should -Be 'NamedObjectNotFound,PSThreading.Commands.RemoveThreadLockCommand'
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

Describe 'Start-WorkerThread -Delay (Python''s Timer)' {
    AfterEach { Stop-LeftoverWorker }

    It 'is Scheduled and alive until the delay has passed, then runs the block' {
        $marker = [hashtable]::Synchronized(@{})
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $timer = Start-WorkerThread -Delay 0.5 -ArgumentList $marker { param($m) $m.Ran = [datetime]::UtcNow; 'ran' }
        $timer.State | Should -Be 'Scheduled'
        $timer.IsAlive | Should -BeTrue
        (Get-ActiveThread -Id $timer.ManagedThreadId).State | Should -Be 'Scheduled'
        $timer | Wait-WorkerThread -Timeout 20 | Should -Be 'ran'
        $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.4
        $timer.State | Should -Be 'Completed'
    }

    It 'Stop-WorkerThread cancels it while scheduled: Stopped, and the block never ran' {
        $marker = [hashtable]::Synchronized(@{})
        $timer = Start-WorkerThread -Delay 1 -ArgumentList $marker { param($m) $m.Ran = $true }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $timer | Stop-WorkerThread -WarningVariable stillStopping -WarningAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 1
        $stillStopping | Should -BeNullOrEmpty
        $timer.State | Should -Be 'Stopped'
        Start-Sleep -Milliseconds 1500
        $marker.ContainsKey('Ran') | Should -BeFalse
    }

    It 'refuses a negative delay' {
        { Start-WorkerThread -Delay -1 { 1 } } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

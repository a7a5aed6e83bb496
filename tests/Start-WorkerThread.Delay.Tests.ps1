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
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $timer = Start-WorkerThread -Delay 3 -ArgumentList $marker { param($m) $m.Ran = $true }
        $timer | Stop-WorkerThread -WarningVariable stillStopping -WarningAction SilentlyContinue
        # Well before the 3 s delay: a stop that waited for it would take 3 s.
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 2
        $stillStopping | Should -BeNullOrEmpty
        $timer.State | Should -Be 'Stopped'
        # Past the moment the block would have started: it never does.
        Start-Sleep -Milliseconds ([Math]::Max(0, 3500 - $clock.ElapsedMilliseconds))
        $marker.ContainsKey('Ran') | Should -BeFalse
    }

    It 'refuses a negative delay' {
        { Start-WorkerThread -Delay -1 { 1 } } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

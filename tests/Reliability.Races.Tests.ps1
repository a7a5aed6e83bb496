BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Races between a caller's waits and a running worker (issue 20): a join that times out and goes must not
# touch what the worker still uses.
Describe 'Reliability: a timed-out join leaves the worker alone' {
    AfterEach { Stop-LeftoverWorker }

    It 'loses no output and fails no worker while Wait-WorkerThread <Switch> -Timeout 0.001 polls it' -TestCases @(
        @{ Switch = '' }
        @{ Switch = '-Any' }
        @{ Switch = '-AsCompleted' }
    ) {
        param($Switch)
        $extra = if ($Switch) { @{ $Switch.TrimStart('-') = $true } } else { @{} }
        $stop = New-ThreadEvent
        # Writes 1, 2, 3, ... as fast as it can until told to stop; under 'Stop' a failed output ends it Failed.
        $worker = Start-WorkerThread -ArgumentList $stop {
            param($stop)
            $ErrorActionPreference = 'Stop'
            $n = 0
            while (-not $stop.IsSet) { ++$n; $n }
        }
        $got = [System.Collections.Generic.List[object]]::new()
        $errors = [System.Collections.Generic.List[object]]::new()
        $polls = 0
        $clock = [Diagnostics.Stopwatch]::StartNew()
        # The failure came in 1-3 of 3-4 runs of 200 polls: 400 give it many chances, bounded in time.
        while ($polls -lt 400 -and $worker.IsAlive -and $clock.Elapsed.TotalSeconds -lt 60) {
            foreach ($item in @(Wait-WorkerThread $worker -Timeout 0.001 @extra -ErrorAction SilentlyContinue -ErrorVariable +failed)) { $got.Add($item) }
            $polls++
        }
        $stop.Set()
        foreach ($item in @(Wait-WorkerThread $worker -Timeout 60 -ErrorAction SilentlyContinue -ErrorVariable +failed)) { $got.Add($item) }

        $failed | Should -BeNullOrEmpty
        $worker.Error | Should -BeNullOrEmpty
        $worker.State | Should -Be 'Completed'
        $polls | Should -BeGreaterThan 50 -Because 'the polls must race the worker while it writes'
        # 1 to n in order, each once: nothing lost, nothing repeated.
        $got.Count | Should -BeGreaterThan 0
        $got[0] | Should -Be 1
        $got[-1] | Should -Be $got.Count
    }
}

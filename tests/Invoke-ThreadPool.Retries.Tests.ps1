BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Issue 24, retries: -MaxRetries, -RetryDelay, -MaxRetryDelay, -RetryOn and $PSThreadingAttempt. A failed
# attempt's output is dropped, each retry writes one verbose line, and the last error says how many attempts.
Describe 'Invoke-ThreadPool -MaxRetries' {
    It 'runs a failing item again until it succeeds, with $PSThreadingAttempt 1, 2, 3' {
        $results = 1..4 | Invoke-ThreadPool -MaxRetries 3 -RetryDelay 0.01 {
            if ($_ -gt 1 -and $PSThreadingAttempt -lt 3) { throw "item $_ fails attempt $PSThreadingAttempt" }
            "$_ on attempt $PSThreadingAttempt"
        } -ErrorVariable failures
        $failures | Should -BeNullOrEmpty
        $results | Sort-Object | Should -Be '1 on attempt 1', '2 on attempt 3', '3 on attempt 3', '4 on attempt 3'
    }

    It 'writes only the successful attempt''s output, once, in order under -Ordered' {
        $results = 1..6 | Invoke-ThreadPool -MaxRetries 2 -RetryDelay 0.01 -Ordered {
            "$_ started attempt $PSThreadingAttempt"
            if ($_ % 2 -eq 0 -and $PSThreadingAttempt -eq 1) { throw 'first attempt of an even item fails' }
            "$_ done"
        }
        $results | Should -Be @(foreach ($n in 1..6) { "$n started attempt $(if ($n % 2) { 1 } else { 2 })"; "$n done" })
    }

    It 'drops the output of failed attempts without -Ordered too' {
        $results = 1..3 | Invoke-ThreadPool -MaxRetries 1 -RetryDelay 0.01 {
            "$_ attempt $PSThreadingAttempt"
            if ($PSThreadingAttempt -eq 1) { throw 'first attempt fails' }
        }
        $results | Sort-Object | Should -Be '1 attempt 2', '2 attempt 2', '3 attempt 2'
    }

    It 'retries an error written under $ErrorActionPreference = ''Stop''' {
        $results = 1..2 | Invoke-ThreadPool -MaxRetries 1 -RetryDelay 0.01 {
            $ErrorActionPreference = 'Stop'
            if ($PSThreadingAttempt -eq 1) { Write-Error 'non-terminating, but Stop' }
            "$_ ok on $PSThreadingAttempt"
        }
        $results | Sort-Object | Should -Be '1 ok on 2', '2 ok on 2'
    }

    It 'writes the last failure as the item''s error, saying how many attempts were made' {
        $null = 'a' | Invoke-ThreadPool -MaxRetries 2 -RetryDelay 0.01 { throw 'always broken' } -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].ToString() | Should -Match 'always broken'
        $failures[0].ToString() | Should -Match '3 attempts'
        $failures[0].TargetObject | Should -Be 'a'
    }

    It 'writes one verbose line per retry naming the item, the attempt and the wait' {
        $verbose = 'x' | Invoke-ThreadPool -MaxRetries 2 -RetryDelay 0.01 { throw 'no' } -Verbose -ErrorAction SilentlyContinue 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Count | Should -Be 2
        $verbose[0].Message | Should -Match "Item 'x' \(#1\) failed attempt 1 of 3.*Attempt 2 in [\d.]+ s"
        $verbose[1].Message | Should -Match 'failed attempt 2 of 3.*Attempt 3'
    }

    It 'writes no retry line without -Verbose (or $VerbosePreference)' {
        $VerbosePreference = 'SilentlyContinue'
        $records = 'x' | Invoke-ThreadPool -MaxRetries 1 -RetryDelay 0.01 { throw 'no' } -ErrorAction SilentlyContinue 4>&1
        @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
    }

    It 'does not retry without -MaxRetries: $PSThreadingAttempt is 1' {
        $results = 1..2 | Invoke-ThreadPool { $PSThreadingAttempt }
        $results | Should -Be 1, 1
        $null = 1 | Invoke-ThreadPool { throw 'once' } -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].ToString() | Should -Not -Match 'attempts'
    }

    It 'waits RetryDelay x 2^(k-1), randomized by at most 25%, capped by -MaxRetryDelay' {
        # Each attempt logs when it starts; the gaps between attempts are the backoff.
        $starts = [Collections.Concurrent.ConcurrentQueue[double]]::new()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = 1 | Invoke-ThreadPool -MaxRetries 4 -RetryDelay 0.2 -MaxRetryDelay 0.5 {
            ($using:starts).Enqueue(($using:clock).Elapsed.TotalSeconds)
            throw 'fails every time'
        } -ErrorAction SilentlyContinue
        $at = @($starts)
        $at.Count | Should -Be 5
        $gaps = for ($i = 1; $i -lt $at.Count; $i++) { $at[$i] - $at[$i - 1] }
        # Expected waits 0.2, 0.4, then 0.8 and 1.6 capped at 0.5; jitter 0.75-1.25; a loaded machine adds time.
        $gaps[0] | Should -BeGreaterOrEqual 0.14
        $gaps[0] | Should -BeLessThan 1.5
        $gaps[1] | Should -BeGreaterOrEqual 0.29
        $gaps[2] | Should -BeGreaterOrEqual 0.36
        $gaps[3] | Should -BeGreaterOrEqual 0.36
        # The cap: never the uncapped 1.2 s (0.8 x 0.75) or more beyond the load's slack.
        $gaps[3] | Should -BeLessThan 1.2
    }

}

Describe 'Invoke-ThreadPool -RetryOn' {
    It 'retries an error whose id matches (<Entry>) and not another' -TestCases @(
        @{ Entry = 'Flaky' }
        @{ Entry = 'flaky' }
    ) {
        $results = 1..2 | Invoke-ThreadPool -MaxRetries 1 -RetryDelay 0.01 -RetryOn $Entry -ArgumentList $Entry {
            if ($PSThreadingAttempt -eq 1) {
                if ($_ -eq 1) { Write-Error 'flaky' -ErrorId 'Flaky' -ErrorAction Stop }
                else { Write-Error 'broken' -ErrorId 'Broken' -ErrorAction Stop }
            }
            "$_ ok"
        } -ErrorVariable failures -ErrorAction SilentlyContinue
        $results | Should -Be '1 ok'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Match '^Broken'
    }

    It 'retries an exception type by <How> name, base types included' -TestCases @(
        @{ How = 'short'; Entry = 'TimeoutException' }
        @{ How = 'full'; Entry = 'System.TimeoutException' }
        @{ How = 'base type'; Entry = 'SystemException' }
    ) {
        $results = 1..2 | Invoke-ThreadPool -MaxRetries 1 -RetryDelay 0.01 -RetryOn $Entry {
            if ($PSThreadingAttempt -eq 1) {
                if ($_ -eq 1) { throw [TimeoutException]::new('slow') }
                else { throw [ArgumentException]::new('bad') }
            }
            "$_ ok"
        } -ErrorVariable failures -ErrorAction SilentlyContinue
        if ($How -eq 'base type') {
            # ArgumentException is a SystemException too: both are retried.
            $results | Sort-Object | Should -Be '1 ok', '2 ok'
        }
        else {
            $results | Should -Be '1 ok'
            $failures.Count | Should -Be 1
        }
    }

    It 'retries the exception a .NET method threw inside PowerShell''s wrapper' {
        $results = 1 | Invoke-ThreadPool -MaxRetries 1 -RetryDelay 0.01 -RetryOn 'FormatException' {
            if ($PSThreadingAttempt -eq 1) { $null = [int]::Parse('not a number') }
            'ok'
        }
        $results | Should -Be 'ok'
    }
}

Describe 'Invoke-ThreadPool retries in inline mode' {
    It 'runs the attempts on the caller''s thread, dropping failed attempts'' output' {
        $PSThreadingMode = 'Inline'
        $results = 1..2 | Invoke-ThreadPool -MaxRetries 2 -RetryDelay 0.01 {
            "$_ attempt $PSThreadingAttempt"
            if ($PSThreadingAttempt -lt 2) { throw 'first fails' }
        }
        $results | Should -Be '1 attempt 2', '2 attempt 2'
    }
}

Describe 'Invoke-ThreadPool limits: bad input' {
    It 'refuses <Parameters> with <ErrorId> before any item runs' -TestCases @(
        @{ Parameters = '-RateLimit 0'; Splat = @{ RateLimit = 0 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Parameters = '-RatePeriod 0'; Splat = @{ RateLimit = 1; RatePeriod = 0 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Parameters = '-RatePeriod NaN'; Splat = @{ RateLimit = 1; RatePeriod = [double]::NaN }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Parameters = '-RatePeriod without -RateLimit'; Splat = @{ RatePeriod = 2 }; ErrorId = 'RatePeriodWithoutRateLimit' }
        @{ Parameters = '-RateLimit with -RateLimiter'; Splat = @{ RateLimit = 2; RateLimiter = 'a new limiter' }; ErrorId = 'RateLimitWithRateLimiter' }
        @{ Parameters = '-MaxRetries -1'; Splat = @{ MaxRetries = -1 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Parameters = '-RetryDelay -1'; Splat = @{ MaxRetries = 1; RetryDelay = -1 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Parameters = '-MaxRetryDelay NaN'; Splat = @{ MaxRetries = 1; MaxRetryDelay = [double]::NaN }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Parameters = '-KeyThrottleLimit 0'; Splat = @{ ThrottleKey = { $_ }; KeyThrottleLimit = 0 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Parameters = '-KeyThrottleLimit without -ThrottleKey'; Splat = @{ KeyThrottleLimit = 2 }; ErrorId = 'KeyThrottleLimitWithoutThrottleKey' }
        @{ Parameters = '-RetryOn without -MaxRetries'; Splat = @{ RetryOn = '429' }; ErrorId = 'RetryOptionWithoutMaxRetries' }
        @{ Parameters = '-RetryDelay without -MaxRetries'; Splat = @{ RetryDelay = 2 }; ErrorId = 'RetryOptionWithoutMaxRetries' }
        @{ Parameters = '-RetryDelay -1 without -MaxRetries'; Splat = @{ RetryDelay = -1 }; ErrorId = 'ParameterArgumentValidationError' }
    ) {
        if ($Splat.RateLimiter) { $Splat.RateLimiter = New-ThreadRateLimiter -Limit 1 -Period 1 }
        $ran = [ref] 0
        $thrown = { 1..3 | Invoke-ThreadPool @Splat { ($using:ran).Value++ } } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Match "^$ErrorId"
        $thrown.Exception.Message | Should -Not -BeNullOrEmpty
        $ran.Value | Should -Be 0
    }

    It 'fails with ThrottleKeyFailed when the key block throws' {
        $thrown = { 1..3 | Invoke-ThreadPool -ThrottleKey { throw 'no key' } { $_ } } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Match '^ThrottleKeyFailed'
        $thrown.Exception.Message | Should -Match 'ThrottleKey'
    }
}

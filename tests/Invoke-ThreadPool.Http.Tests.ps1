BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Issue 24 against a real HTTP server on loopback: an HttpListener in a child pwsh that answers 429 with
# Retry-After: 2 to the first item requests and logs each request's arrival time. Every assertion reads the
# server's own log, not what the items say about themselves.
Describe 'Invoke-ThreadPool against a rate-limited HTTP API' {
    BeforeAll {
        $base = Join-Path ([IO.Path]::GetTempPath()) "psthreading-http-$([guid]::NewGuid().ToString('n'))"
        $script:ServerLog, $script:ServerReady, $serverFile = "$base.log", "$base.ready", "$base.ps1"
        # A free port: taken from the system, released, then bound by the server (it retries on the rare clash).
        $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $probe.Start(); $script:Port = $probe.LocalEndpoint.Port; $probe.Stop()
        @"
`$listener = [Net.HttpListener]::new()
`$listener.Prefixes.Add('http://127.0.0.1:$Port/')
`$listener.Start()
[IO.File]::WriteAllText('$ServerReady', 'ready')
`$refused = 0
while (`$listener.IsListening) {
    `$context = `$listener.GetContext()
    `$arrived = [datetime]::UtcNow.Ticks
    `$path = `$context.Request.Url.AbsolutePath
    `$status = 200
    # The first three item requests are told to come back in 2 seconds.
    if (`$path -like '/item/*' -and `$refused -lt 3) { `$refused++; `$status = 429; `$context.Response.AddHeader('Retry-After', '2') }
    [IO.File]::AppendAllText('$ServerLog', "`$arrived `$path `$status``n")
    `$context.Response.StatusCode = `$status
    `$body = [Text.Encoding]::UTF8.GetBytes('{"path":"' + `$path + '"}')
    `$context.Response.ContentType = 'application/json'
    `$context.Response.OutputStream.Write(`$body, 0, `$body.Length)
    `$context.Response.Close()
}
"@ | Set-Content $serverFile
        $script:Server = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $serverFile -PassThru -NoNewWindow
        $script:ServerFile = $serverFile
        Wait-Until { Test-Path $ServerReady } -Seconds 60

        $clock = [Diagnostics.Stopwatch]::StartNew()
        # No warm-up: a worker's first Invoke-RestMethod costs far more than its later ones, and the server must
        # still see no second over the limit.
        $script:Results = 1..30 | Invoke-ThreadPool -ThrottleLimit 6 -RateLimit 5 -RatePeriod 1 -MaxRetries 3 -RetryOn 429 {
            $answer = Invoke-RestMethod "http://127.0.0.1:$using:Port/item/$_"
            [pscustomobject]@{ Number = $_; Attempt = $PSThreadingAttempt; Path = $answer.path }
        }
        $script:Seconds = $clock.Elapsed.TotalSeconds
        $script:Log = @(Get-Content $ServerLog | ForEach-Object {
                $ticks, $path, $status = $_ -split ' '
                [pscustomobject]@{ At = [datetime]::new([long]$ticks, 'Utc'); Path = $path; Status = [int]$status }
            } | Where-Object Path -Like '/item/*' | Sort-Object At)
    }

    AfterAll {
        if ($Server -and -not $Server.HasExited) { $Server.Kill($true) }
        Remove-Item $ServerLog, $ServerReady, $ServerFile -ErrorAction Ignore
    }

    It 'answers every item once, each from its own successful request' {
        $Results.Count | Should -Be 30
        ($Results.Number | Sort-Object -Unique).Count | Should -Be 30
        @($Log | Where-Object Status -EQ 200).Count | Should -Be 30
        @($Log | Where-Object Status -EQ 200 | Sort-Object Path -Unique).Count | Should -Be 30
    }

    It 'counts each item''s attempts: the three refused items ran twice, the others once' {
        $refused = @($Log | Where-Object Status -EQ 429 | ForEach-Object { [int]($_.Path -replace '/item/') })
        $refused.Count | Should -Be 3
        foreach ($result in $Results) {
            $expected = if ($result.Number -in $refused) { 2 } else { 1 }
            $result.Attempt | Should -Be $expected -Because "item $($result.Number) was refused $(@($refused -eq $result.Number).Count) time(s)"
            @($Log | Where-Object Path -EQ "/item/$($result.Number)").Count | Should -Be $expected
        }
    }

    It 'never lets more than 5 requests arrive within any second (the server''s clock)' {
        $first = $Log[0].At
        $times = @($Log | ForEach-Object { ($_.At - $first).TotalSeconds })
        foreach ($start in $times) {
            $inWindow = @($times | Where-Object { $_ -ge $start -and $_ -lt $start + 1 }).Count
            $inWindow | Should -BeLessOrEqual 5 -Because "the requests from $start s on (all: $(($times | ForEach-Object { '{0:n3}' -f $_ }) -join ' '))"
        }
    }

    It 'holds every worker back for the Retry-After after a 429: no request in the 2 seconds after it' {
        $last429 = ($Log | Where-Object Status -EQ 429 | Select-Object -Last 1).At
        # Requests already on their way when the 429 came may arrive just after it; none starts in the pause.
        $during = @($Log | Where-Object { $_.At -gt $last429.AddSeconds(0.3) -and $_.At -lt $last429.AddSeconds(1.9) })
        $during.Count | Should -Be 0 -Because "a paused pool sends nothing ($($during.Path -join ', ') came)"
        # And the work did go on after it: the refused items came back no earlier than 2 s after their 429.
        foreach ($refusal in @($Log | Where-Object Status -EQ 429)) {
            $retry = $Log | Where-Object { $_.Path -eq $refusal.Path -and $_.Status -eq 200 }
            ($retry.At - $refusal.At).TotalSeconds | Should -BeGreaterOrEqual 1.9
        }
    }

    It 'takes about the time the rate and the pause allow, not far more' {
        # 30 starts at 5 a second is about 5 s; the 2 s pause adds its share. Bound generously for a loaded machine.
        $Seconds | Should -BeGreaterThan 4.5
        $Seconds | Should -BeLessThan 30
    }
}

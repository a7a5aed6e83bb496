# A stand-in API on loopback for the tests of issue 24 across processes and sessions: an HttpListener served by a
# worker thread of the test's own pwsh. The first request to each path is answered 429 with Retry-After; every
# request is logged with the server's arrival time, so tests read what the server saw.

function Start-TestApi {
    param([int] $RetryAfterSeconds = 2)
    $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $listener = [Net.HttpListener]::new()
    $listener.Prefixes.Add("http://127.0.0.1:$port/")
    $listener.Start()
    $log = [Collections.Concurrent.ConcurrentQueue[object]]::new()
    $thread = Start-WorkerThread -Name "test-api-$port" -ArgumentList $listener, $log, $RetryAfterSeconds {
        param($listener, $log, $wait)
        $seen = @{}
        while ($listener.IsListening) {
            try { $context = $listener.GetContext() } catch { break }
            $path = $context.Request.Url.AbsolutePath
            $status = 200
            if (-not $seen.ContainsKey($path)) { $seen[$path] = $true; $status = 429; $context.Response.AddHeader('Retry-After', "$wait") }
            $log.Enqueue([pscustomobject]@{ At = [datetime]::UtcNow; Path = $path; Status = $status })
            $context.Response.StatusCode = $status
            $context.Response.Close()
        }
    }
    [pscustomobject]@{ Port = $port; Listener = $listener; Log = $log; Thread = $thread }
}

function Stop-TestApi {
    param($Api)
    if ($Api) {
        $Api.Listener.Stop()
        $null = $Api.Thread | Wait-WorkerThread -Timeout 10
    }
}

# Each path's 429 and the retry after it, from the server's log: how long the retry waited.
function Get-TestApiRetryWait {
    param($Api)
    foreach ($group in @($Api.Log.ToArray()) | Group-Object Path) {
        $refused = @($group.Group | Where-Object Status -EQ 429)[0]
        $answered = @($group.Group | Where-Object Status -EQ 200)[0]
        [pscustomobject]@{ Path = $group.Name; Seconds = if ($refused -and $answered) { ($answered.At - $refused.At).TotalSeconds } }
    }
}

# Dot-sourced by the remoting tests (after common.ps1): an sshd of the tests' own on a free loopback port, with
# a host key and a user key made in a private temp folder, serving pwsh's SSH remoting subsystem; sessions to
# 127.0.0.1, .2 and .3 have distinct computer names. Everything is torn down by the ids the tests started.

$script:SshdPath = @('/usr/sbin/sshd', (Get-Command sshd -CommandType Application -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty Source)) |
    Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1

# Why the remoting tests cannot run here; $null when they can.
function Get-SshSkipReason {
    if ($IsWindows) { return 'the sshd test helper is written for Unix' }
    if (-not $script:SshdPath) { return "sshd is not installed (Debian: apt-get install openssh-server; .ci/run does it when root)" }
    foreach ($tool in 'ssh', 'ssh-keygen') {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { return "$tool is not installed (openssh-client)" }
    }
    $null
}

function Get-FreeLoopbackPort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Starts sshd; returns what New-SshTestSession and Stop-SshTestServer need.
function Start-SshTestServer {
    $dir = Join-Path ([IO.Path]::GetTempPath()) "psthreading-sshd-$([guid]::NewGuid().ToString('n'))"
    # Private from its first moment: the keys are written into it.
    $null = [IO.Directory]::CreateDirectory($dir, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'host_key') | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'user_key') | Out-Null
    Copy-Item (Join-Path $dir 'user_key.pub') (Join-Path $dir 'authorized_keys')
    # The privilege-separation directory sshd insists on (a package install makes it, a reboot removes it).
    if (-not (Test-Path /run/sshd)) { $null = New-Item -ItemType Directory /run/sshd }
    $pwsh = Join-Path $PSHOME 'pwsh'
    $last = $null
    for ($try = 1; $try -le 3; $try++) {
        # A free port can be taken between the look and sshd's bind: tried again with another.
        $port = Get-FreeLoopbackPort
        @(
            "Port $port"
            'ListenAddress 127.0.0.1'
            'ListenAddress 127.0.0.2'
            'ListenAddress 127.0.0.3'
            "HostKey $dir/host_key"
            "PidFile $dir/sshd.pid"
            "AuthorizedKeysFile $dir/authorized_keys"
            'PubkeyAuthentication yes'
            'PasswordAuthentication no'
            'KbdInteractiveAuthentication no'
            'PermitRootLogin prohibit-password'
            'StrictModes no'
            'UsePAM no'
            'MaxStartups 30'
            'MaxSessions 30'
            "Subsystem powershell $pwsh -sshs -NoLogo -NoProfile"
        ) | Set-Content (Join-Path $dir 'sshd_config')
        $process = Start-Process -FilePath $script:SshdPath -PassThru -ArgumentList '-D', '-f', "$dir/sshd_config", '-E', "$dir/sshd.log"
        $up = $false
        $deadline = [datetime]::UtcNow.AddSeconds(10)
        while (-not $up -and -not $process.HasExited -and [datetime]::UtcNow -lt $deadline) {
            $client = [Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.3', $port); $up = $true } catch { Start-Sleep -Milliseconds 50 } finally { $client.Dispose() }
        }
        if ($up) {
            return [pscustomobject]@{ Process = $process; Port = $port; Folder = $dir; KeyFile = "$dir/user_key"; KnownHosts = "$dir/known_hosts"; UserName = [Environment]::UserName }
        }
        $last = Get-Content "$dir/sshd.log" -Raw -ErrorAction Ignore
        if (-not $process.HasExited) { $process.Kill() }
    }
    Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    throw "sshd did not start: $last"
}

# One session (a remote pwsh of its own) to one of the server's loopback addresses.
function New-SshTestSession {
    param($Server, [string] $Address = '127.0.0.1')
    $options = @{ BatchMode = 'yes'; IdentitiesOnly = 'yes'; LogLevel = 'ERROR'; StrictHostKeyChecking = 'no'; UserKnownHostsFile = $Server.KnownHosts }
    New-PSSession -HostName $Address -Port $Server.Port -UserName $Server.UserName -KeyFilePath $Server.KeyFile -Options $options -ErrorAction Stop
}

# The sessions' own remote pwsh process ids: what a test kills to lose a node.
function Get-SessionProcessId($Session) { Invoke-Command -Session $Session { $PID } }

function Stop-SshTestServer($Server, $Session) {
    if ($Session) { $Session | Remove-PSSession -ErrorAction Ignore }
    if ($Server) {
        if (-not $Server.Process.HasExited) { $Server.Process.Kill(); $null = $Server.Process.WaitForExit(5000) }
        Remove-Item $Server.Folder -Recurse -Force -ErrorAction Ignore
    }
}

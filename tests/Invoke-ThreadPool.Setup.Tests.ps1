BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# Issue 15: per-worker set-up and clean-up (-Begin/-End), the caller's functions and modules (-Function/-Module),
# blocks that take pipeline input, using namespace, ForEach-Object -Parallel's parameter names, the default throttle.
Describe 'Invoke-ThreadPool set-up' {
    BeforeAll {
        function Get-PoolWorkerName { @(Get-ActiveThread | Where-Object Kind -EQ 'PoolWorker' | ForEach-Object Name) }
        $script:DefaultThrottle = [Math]::Min(32, [Environment]::ProcessorCount + 4)
    }

    AfterEach {
        Wait-Until { (Get-PoolWorkerName).Count -eq 0 } -Seconds 10
    }

    Context '-Begin and -End' {
        It 'runs -Begin once per worker, in the scope its items see' {
            $begins = [hashtable]::Synchronized(@{})
            $out = 1..20 | Invoke-ThreadPool -ThrottleLimit 2 -Begin {
                $me = (Get-ActiveThread -Current).Name
                $h = $using:begins
                $h[$me] = 1 + [int] $h[$me]
                $conn = "conn-$me"
            } {
                Start-Sleep -Milliseconds 30
                [pscustomobject]@{ Worker = (Get-ActiveThread -Current).Name; Conn = $conn }
            }
            $out.Count | Should -Be 20
            foreach ($result in $out) { $result.Conn | Should -Be "conn-$($result.Worker)" }
            $workers = @($out.Worker | Sort-Object -Unique)
            $begins.Keys | Sort-Object | Should -Be $workers
            foreach ($count in $begins.Values) { $count | Should -Be 1 }
        }

        It 'runs -End once per worker after its last item, seeing what -Begin set' {
            $ends = [hashtable]::Synchronized(@{})
            $out = 1..12 | Invoke-ThreadPool -ThrottleLimit 3 -Begin { $conn = (Get-ActiveThread -Current).Name } -End {
                $h = $using:ends
                $h[$conn] = 1 + [int] $h[$conn]
            } { Start-Sleep -Milliseconds 30; (Get-ActiveThread -Current).Name }
            $ends.Keys | Sort-Object | Should -Be @($out | Sort-Object -Unique)
            foreach ($count in $ends.Values) { $count | Should -Be 1 }
        }

        It 'writes the output of -Begin and -End to the call''s output, -End''s after the items''' {
            $out = 1..3 | Invoke-ThreadPool -ThrottleLimit 1 -Ordered -Begin { 'begin' } -End { 'end' } { $_ }
            $out | Should -Be 'begin', 1, 2, 3, 'end'
        }

        It 'gives -Begin and -End the $using: values and -ArgumentList' {
            $prefix = 'P'
            $out = 1..2 | Invoke-ThreadPool -ThrottleLimit 1 -Ordered -ArgumentList 'A' -Begin {
                param($a) "begin $using:prefix $a"
            } -End {
                param($a) "end $using:prefix $a"
            } { param($a) "$_ $a" }
            $out | Should -Be 'begin P A', '1 A', '2 A', 'end P A'
        }

        It 'fails the call with PoolBeginFailed when -Begin throws, and runs no item on that worker' {
            $ran = [hashtable]::Synchronized(@{})
            $caught = $null
            try {
                1..5 | Invoke-ThreadPool -ThrottleLimit 1 -Begin { throw 'no connection' } { $h = $using:ran; $h[$_] = 1 }
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -BeLike 'PoolBeginFailed*'
            $caught.Exception.Message | Should -BeLike '*ThreadPool-*_0*'
            $caught.Exception.Message | Should -BeLike '*no connection*'
            $ran.Count | Should -Be 0
        }

        It 'runs -End on every worker when -Timeout stops the call' {
            $ends = [hashtable]::Synchronized(@{})
            $null = 1..4 | Invoke-ThreadPool -ThrottleLimit 2 -Timeout 1 -Begin { $me = (Get-ActiveThread -Current).Name } -End {
                $h = $using:ends; $h[$me] = 1
            } { Start-Sleep -Seconds 30 } -ErrorAction SilentlyContinue -ErrorVariable failures
            $failures.FullyQualifiedErrorId | Should -Contain 'PoolTimeout,PSThreading.Commands.InvokeThreadPoolCommand'
            Wait-Until { $ends.Count -eq 2 } -Seconds 10
        }

        It 'runs -End on every worker when -ErrorAction Stop fails the call' {
            $ends = [hashtable]::Synchronized(@{})
            { 1..20 | Invoke-ThreadPool -ThrottleLimit 2 -Begin { $me = (Get-ActiveThread -Current).Name } -End {
                    $h = $using:ends; $h[$me] = 1
                } { Start-Sleep -Milliseconds 100; if ($_ -eq 3) { throw 'stop here' } } -ErrorAction Stop } | Should -Throw '*stop here*'
            Wait-Until { $ends.Count -eq 2 } -Seconds 10
        }

        It 'runs -End on every worker after Ctrl+C (PowerShell.Stop)' {
            $ends = [hashtable]::Synchronized(@{})
            $ps = [powershell]::Create()
            try {
                # Each item registers as it starts, after its worker's -Begin: the stop comes once three run.
                $started = [System.Collections.Concurrent.ConcurrentDictionary[int, byte]]::new()
                $null = $ps.AddScript("param(`$ends, `$started) Import-Module '$ModuleManifest'
                    1..8 | Invoke-ThreadPool -ThrottleLimit 3 -Begin { `$me = (Get-ActiveThread -Current).Name } -End {
                        `$h = `$using:ends; `$h[`$me] = 1
                    } { `$null = (`$using:started).TryAdd(`$_, 0); Start-Sleep -Seconds 60 }").AddParameter('ends', $ends).AddParameter('started', $started)
                $handle = $ps.BeginInvoke()
                Wait-Until { $started.Count -eq 3 } -Seconds 20
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
                $handle.IsCompleted | Should -BeTrue
                Wait-Until { $ends.Count -eq 3 } -Seconds 10
            }
            finally {
                $ps.Dispose()
            }
        }

        It 'runs -Begin and -End around each item with -UseNewRunspace' {
            $out = 1..3 | Invoke-ThreadPool -ThrottleLimit 1 -Ordered -UseNewRunspace -Begin { $conn = 'c' } -End { 'end' } { "$_$conn" }
            $out | Should -Be '1c', '2c', '3c', 'end', 'end', 'end'
        }
    }

    Context '-Function and -Module' {
        BeforeAll {
            function Get-H4Thing { param($Value) "thing $Value" }
            $modulePath = Join-Path $TestDrive 'H4Module.psm1'
            Set-Content -Path $modulePath -Value 'function Get-H4ModuleThing { "module thing $args" }'
            Import-Module $modulePath
        }

        AfterAll {
            Remove-Module H4Module -ErrorAction Ignore
        }

        It 'defines a function of the caller in every worker' {
            $out = 1..4 | Invoke-ThreadPool -Function Get-H4Thing { Get-H4Thing $_ } -Ordered
            $out | Should -Be 'thing 1', 'thing 2', 'thing 3', 'thing 4'
        }

        It 'imports a module of the caller in every worker, from the path it was loaded from' {
            $out = 1..2 | Invoke-ThreadPool -Module H4Module { Get-H4ModuleThing $_; (Get-Module H4Module).Path } -Ordered -ThrottleLimit 1
            $out[0] | Should -Be 'module thing 1'
            $out[1] | Should -Be (Get-Module H4Module).Path
        }

        It 'leaves no function or module behind for the next call''s workers' {
            $null = 1..4 | Invoke-ThreadPool -Function Get-H4Thing -Module H4Module { Get-H4Thing $_ }
            $out = 1..4 | Invoke-ThreadPool {
                [bool] (Get-Command Get-H4Thing, Get-H4ModuleThing -ErrorAction Ignore) -or [bool] (Get-Module H4Module)
            }
            $out | Should -Not -Contain $true
        }

        It 'refuses a name the caller does not have with <ErrorId>, before any worker starts' -TestCases @(
            @{ Parameter = 'Function'; ErrorId = 'FunctionNotFound' }
            @{ Parameter = 'Module'; ErrorId = 'ModuleNotFound' }
        ) {
            $splat = @{ $Parameter = 'No-SuchH4Thing' }
            { 1..3 | Invoke-ThreadPool { $_ } @splat } | Should -Throw -ErrorId "$ErrorId,PSThreading.Commands.InvokeThreadPoolCommand"
            Get-PoolWorkerName | Should -BeNullOrEmpty
        }

        It 'says to pass -Function when an item calls a function only the caller has' {
            $null = 1 | Invoke-ThreadPool { Get-H4Thing 1 } -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].Exception | Should -BeOfType ([System.Management.Automation.CommandNotFoundException])
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'CommandNotFoundException*'
            $failures[0].Exception.Message | Should -BeLike '*not recognized*-Function Get-H4Thing*'
            "$($failures[0])" | Should -BeLike '*-Function Get-H4Thing*'
        }

        It 'gives no -Function hint for a name the caller has no function for' {
            $null = 1 | Invoke-ThreadPool { Get-NoSuchH4Thing } -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].Exception.Message | Should -Not -BeLike '*-Function*'
        }
    }

    Context 'blocks that take pipeline input' {
        It 'gives a block with a process block each item as its pipeline input' {
            $out = 1..4 | Invoke-ThreadPool { process { $_ * 2 } } -Ordered
            $out | Should -Be 2, 4, 6, 8
        }

        It 'runs an advanced function written for the pipeline unchanged, from ${function:name}' {
            function ConvertTo-H4Double {
                [CmdletBinding()]
                param([Parameter(ValueFromPipeline)] [int] $Number)
                begin { $factor = 2 }
                process { $Number * $factor }
            }
            $out = 1..4 | Invoke-ThreadPool ${function:ConvertTo-H4Double} -Ordered
            $out | Should -Be 2, 4, 6, 8
        }

        It 'binds a ValueFromPipelineByPropertyName parameter from the item' {
            $items = [pscustomobject]@{ Name = 'a' }, [pscustomobject]@{ Name = 'b' }
            $out = $items | Invoke-ThreadPool { param([Parameter(ValueFromPipelineByPropertyName)] $Name) "<$Name>" } -Ordered
            $out | Should -Be '<a>', '<b>'
        }

        It 'keeps an array item one input object' {
            $out = Invoke-ThreadPool -InputObject @(, @(1, 2, 3)) { param([Parameter(ValueFromPipeline)] $Item) process { $Item.Count } }
            $out | Should -Be 3
        }

        It 'gives the item as pipeline input with -UseNewRunspace too' {
            $out = 1..3 | Invoke-ThreadPool { process { $_ + 10 } } -Ordered -UseNewRunspace
            $out | Should -Be 11, 12, 13
        }

        It 'keeps blocks that only read $_ working' {
            $out = 1..3 | Invoke-ThreadPool { $_ * 3 } -Ordered
            $out | Should -Be 3, 6, 9
        }
    }

    Context 'using namespace in the caller''s script' {
        It 'applies in pool items and worker threads, run from a script file' {
            $file = Join-Path $TestDrive 'using-namespace.ps1'
            @"
using namespace System.Collections.Generic
using namespace System.Text
Import-Module '$ModuleManifest'
1..2 | Invoke-ThreadPool { [List[int]]::new().GetType().Name + `$_ } -Ordered
1 | Invoke-ThreadPool { `$list = [List[string]]::new(); `$list.Add('x'); [StringBuilder]::new(`$list[0]).ToString() }
Start-WorkerThread { [Dictionary[string, int]]::new().GetType().Name } | Wait-WorkerThread
"@ | Set-Content -Path $file
            $stdout = "$file.out"
            $process = Start-Process -FilePath $PwshPath -ArgumentList '-NoProfile', '-NonInteractive', '-File', $file `
                -RedirectStandardOutput $stdout -PassThru -NoNewWindow
            if (-not $process.WaitForExit(60000)) { $process.Kill($true); throw 'The child pwsh did not exit within 60 s.' }
            $process.WaitForExit()   # the redirected output is copied to its file asynchronously
            $process.ExitCode | Should -Be 0
            Get-Content $stdout | Should -Be 'List`11', 'List`12', 'x', 'Dictionary`2'
        }
    }

    Context 'ForEach-Object -Parallel''s names and the default throttle' {
        It 'takes -Parallel for -ScriptBlock and -TimeoutSeconds for -Timeout' {
            $out = 1..3 | Invoke-ThreadPool -Parallel { $_ * 2 } -TimeoutSeconds 30 -Ordered
            $out | Should -Be 2, 4, 6
            (Get-Command Wait-WorkerThread).Parameters['Timeout'].Aliases | Should -Contain 'TimeoutSeconds'
        }

        It 'runs min(32, processors + 4) sleeping items at once by default' {
            $count = $DefaultThrottle * 4
            $names = 1..$count | Invoke-ThreadPool { Start-Sleep -Milliseconds 300; (Get-ActiveThread -Current).Name }
            @($names | Sort-Object -Unique).Count | Should -Be $DefaultThrottle
        }
    }
}

BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }
# Concurrency

# A script block belongs to the runspace that made it. One that reaches a worker as an argument, a $using: value
# or a pool item used to run against the caller's session state: pwsh died with exit code 134, hung, gave wrong
# sums, or changed the caller's $global: variables. Each shape runs in a child pwsh, several times in a row, with
# the caller busy meanwhile; the child must exit 0 with the exact result every time and its $global:marker
# untouched (each passed block tries to set it).
Describe 'Reliability: script blocks and runspace-bound values passed to workers' {
    BeforeAll {
        $script:Runs = 5

        # Runs $Body $Runs times in a child pwsh; each run's last output line is its result.
        function Invoke-ShapeLoop {
            param([string] $Body, [int] $TimeoutSeconds = 150)
            $script = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$global:marker = 'caller'
for (`$run = 0; `$run -lt $Runs; `$run++) {
    `$result = & {
$Body
    }
    "result: `$(@(`$result)[-1])"
    if (`$global:marker -ne 'caller') { "marker changed to `$global:marker" }
}
'all runs done'
"@
            Invoke-ChildPwsh -Script $script -TimeoutSeconds $TimeoutSeconds
        }
    }

    It 'runs <Shape> in the worker''s own runspace, exit code 0 and <Expected> in every run' -TestCases @(
        @{
            Shape = 'a block given in -ArgumentList, the caller busy meanwhile'
            Expected = '25005000'
            Body = @'
$t = Start-WorkerThread -ArgumentList { $global:marker = 'worker'; $args[0] * 2 } { param($f) $s = 0; foreach ($i in 1..5000) { $s += & $f $i }; $s }
foreach ($i in 1..50000) { $null = $i * 2 }
$t | Wait-WorkerThread -Timeout 60
'@
        }
        @{
            Shape = 'a block read with $using:, the caller busy meanwhile'
            Expected = '25005000'
            Body = @'
$sb = { $global:marker = 'worker'; $args[0] * 2 }
$t = Start-WorkerThread { $f = $using:sb; $s = 0; foreach ($i in 1..5000) { $s += & $f $i }; $s }
foreach ($i in 1..50000) { $null = $i * 2 }
$t | Wait-WorkerThread -Timeout 60
'@
        }
        @{
            Shape = '${function:f} given in -ArgumentList'
            Expected = '25005000'
            Body = @'
function f { param($n) $global:marker = 'worker'; $n * 2 }
$t = Start-WorkerThread -ArgumentList ${function:f} { param($f) $s = 0; foreach ($i in 1..5000) { $s += & $f $i }; $s }
foreach ($i in 1..50000) { $null = $i * 2 }
$t | Wait-WorkerThread -Timeout 60
'@
        }
        @{
            Shape = 'blocks piped into Invoke-ThreadPool as items'
            Expected = '500 375750'
            Body = @'
$sb = { param($n) $global:marker = 'worker'; $n * 3 }
$m = 1..500 | ForEach-Object { , @($_, $sb) } | Invoke-ThreadPool { & $_[1] $_[0] } -ThrottleLimit 4 | Measure-Object -Sum
"$($m.Count) $($m.Sum)"
'@
        }
        @{
            Shape = 'a single block piped as the item, with its .Invoke()'
            Expected = '500 4500'
            Body = @'
$sb = { param($n) $global:marker = 'worker'; $n * 3 }
$m = 1..500 | ForEach-Object { $sb } | Invoke-ThreadPool { $_.Invoke(3)[0] } -ThrottleLimit 4 | Measure-Object -Sum
"$($m.Count) $($m.Sum)"
'@
        }
        @{
            Shape = '.Invoke() on an -ArgumentList block in pool items'
            Expected = '500 375750'
            Body = @'
$sb = { param($n) $global:marker = 'worker'; $n * 3 }
$m = 1..500 | Invoke-ThreadPool { param($f) $f.Invoke($_)[0] } -ArgumentList $sb -ThrottleLimit 4 | Measure-Object -Sum
"$($m.Count) $($m.Sum)"
'@
        }
        @{
            Shape = 'InvokeReturnAsIs on a $using: block in pool items'
            Expected = '500 375750'
            Body = @'
$sb = { param($n) $global:marker = 'worker'; $n * 3 }
$m = 1..500 | Invoke-ThreadPool { ($using:sb).InvokeReturnAsIs($_) } -ThrottleLimit 4 | Measure-Object -Sum
"$($m.Count) $($m.Sum)"
'@
        }
        @{
            Shape = '.Invoke() and ForEach-Object $block in a worker'
            Expected = '375750 375750'
            Body = @'
$sb = { param($n) $global:marker = 'worker'; $n * 3 }
$each = { $global:marker = 'worker'; $_ * 3 }
$t = Start-WorkerThread -ArgumentList $sb, $each {
    param($f, $e)
    $x = 0; foreach ($i in 1..500) { $x += $f.Invoke($i)[0] }
    $y = (1..500 | ForEach-Object $e | Measure-Object -Sum).Sum
    "$x $y"
}
foreach ($i in 1..50000) { $null = $i * 2 }
$t | Wait-WorkerThread -Timeout 60
'@
        }
        @{
            Shape = 'a caller block as the Invoke-WithLock body in 8 workers under a semaphore of 4'
            Expected = '400'
            Body = @'
$sem = New-ThreadSemaphore -Count 4
$body = { $global:marker = 'worker'; 1 }
$threads = 1..8 | ForEach-Object { Start-WorkerThread -ArgumentList $sem, $body { param($s, $b) $n = 0; foreach ($i in 1..50) { $n += Invoke-WithLock $s $b }; $n } }
foreach ($i in 1..50000) { $null = $i * 2 }
($threads | Wait-WorkerThread -Timeout 60 | Measure-Object -Sum).Sum
'@
        }
    ) {
        param($Shape, $Expected, $Body)
        $run = Invoke-ShapeLoop -Body $Body
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Not -Match 'marker changed'
        @($run.Output | Where-Object { $_ -like 'result: *' }) | Should -Be (@("result: $Expected") * $Runs)
        $run.Output[-1] | Should -Be 'all runs done'
    }

    It 'refuses a block nested in a container, a bound class instance and a script-member object with a named error, starting nothing' {
        $run = Invoke-ShapeLoop -Body @'
class Counter { [int] $Step = 2; [int] Next([int] $n) { return $n + $this.Step } }
$block = { $global:marker = 'worker'; 1 }
$list = [Collections.Generic.List[object]]::new(); $list.Add(@{ deep = $block })
$table = @{ f = $block }
$withMethod = [pscustomobject]@{ A = 1 } | Add-Member -MemberType ScriptMethod -Name Twice -Value { $global:marker = 'worker'; 2 } -PassThru
$withProperty = [pscustomobject]@{ A = 1 } | Add-Member -MemberType ScriptProperty -Name Twice -Value { $global:marker = 'worker'; 2 } -PassThru
$instance = [Counter]::new()
$calls = @(
    { Start-WorkerThread -ArgumentList $table { param($h) & $h.f } }
    { Start-WorkerThread -ArgumentList (, @(1, @{ f = $block })) { param($a) & $a[1].f } }
    { Start-WorkerThread -ArgumentList ([pscustomobject]@{ f = $block }) { param($o) & $o.f } }
    { Start-WorkerThread -ArgumentList (, $list) { param($l) & $l[0].deep } }
    { Start-WorkerThread { & ($using:table).f } }
    { 1 | Invoke-ThreadPool { param($h) & $h.f } -ArgumentList $table }
    { 1 | Invoke-ThreadPool { & ($using:table).f } }
    { Start-WorkerThread -ArgumentList $instance { param($c) $c.Next(1) } }
    { Start-WorkerThread { ($using:instance).Next(1) } }
    { 1 | Invoke-ThreadPool { param($h) $h.x.Next(1) } -ArgumentList @{ x = $instance } }
    { Start-WorkerThread -ArgumentList $withMethod { param($o) $o.Twice() } }
    { Start-WorkerThread { ($using:withProperty).Twice } }
    { Start-WorkerThread -ArgumentList { $using:table } { param($f) & $f } }
)
$before = @(Get-ActiveThread).Count
$ids = foreach ($call in $calls) {
    try { $null = & $call; 'started' } catch { $_.FullyQualifiedErrorId -replace ',.*' }
}
if (@(Get-ActiveThread).Count -ne $before) { 'a thread was started' }
$ids -join ' '
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Not -Match 'marker changed|a thread was started'
        $expected = 'result: ' + ((@('ScriptBlockInContainer') * 7) + (@('RunspaceBoundClassInstance') * 3) + (@('RunspaceBoundScriptMember') * 2) + 'UsingInScriptBlockValue' -join ' ')
        @($run.Output | Where-Object { $_ -like 'result: *' }) | Should -Be (@($expected) * $Runs)
    }

    It 'fails only the pool items that carry a runspace-bound value, and lets a [NoRunspaceAffinity()] instance through' {
        $run = Invoke-ShapeLoop -Body @'
class Counter { [int] $Step = 2; [int] Next([int] $n) { return $n + $this.Step } }
[NoRunspaceAffinity()] class Doubler { [int] Twice([int] $n) { return $n * 2 } }
$block = { $global:marker = 'worker'; 1 }
$items = @(1, @{ f = $block }, 2, [Counter]::new(), ([pscustomobject]@{ A = 1 } | Add-Member -MemberType ScriptMethod -Name M -Value { 1 } -PassThru), 3)
$out = $items | Invoke-ThreadPool { if ($_ -is [int]) { $_ * 10 } else { 'ran a bound value' } } -Ordered -ErrorVariable failures -ErrorAction SilentlyContinue
$doubler = [Doubler]::new()
$sum = (1..20 | Invoke-ThreadPool { ($using:doubler).Twice($_) } -ThrottleLimit 4 | Measure-Object -Sum).Sum
"$($out -join ',') | $(($failures | ForEach-Object { $_.FullyQualifiedErrorId -replace ',.*' }) -join ',') | $sum"
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Not -Match 'marker changed'
        $expected = 'result: 10,20,30 | ScriptBlockInContainer,RunspaceBoundClassInstance,RunspaceBoundScriptMember | 420'
        @($run.Output | Where-Object { $_ -like 'result: *' }) | Should -Be (@($expected) * $Runs)
    }

    It 'says in the message how to pass a nested block, and keeps data hashtables shared by reference' {
        $table = @{ f = { 1 } }
        $failure = { Start-WorkerThread -ArgumentList $table { param($h) & $h.f } } | Should -Throw -ErrorId 'ScriptBlockInContainer,PSThreading.Commands.StartWorkerThreadCommand' -PassThru
        $failure.Exception.Message | Should -Match ([regex]::Escape('$sb.ToString()'))
        $failure.Exception.Message | Should -Match 'as an argument'

        $shared = [hashtable]::Synchronized(@{ Count = 0; Name = 'data' })
        Start-WorkerThread -ArgumentList $shared { param($h) $h.Count = 5 } | Wait-WorkerThread -Timeout 30
        $shared.Count | Should -Be 5
    }
}

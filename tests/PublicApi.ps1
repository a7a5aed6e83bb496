# Dot-sourced by PublicApi.Tests.ps1: lists the public surface of the module's assemblies, one line per type and
# per member a user can reach: public, or protected on a type that is not sealed.

function Get-PublicApiLine {
    param([Reflection.Assembly[]] $Assembly)
    $flags = [Reflection.BindingFlags]'Public, NonPublic, Instance, Static, DeclaredOnly'
    foreach ($type in $Assembly.GetExportedTypes()) {
        $kind = if ($type.IsEnum) { 'enum' } elseif ($type.IsInterface) { 'interface' } elseif ($type.IsValueType) { 'struct' }
        elseif ($type.IsAbstract -and $type.IsSealed) { 'static class' } elseif ($type.IsAbstract) { 'abstract class' }
        elseif ($type.IsSealed) { 'sealed class' } else { 'class' }
        $base = if ($type.BaseType -and $type.BaseType -notin [object], [enum], [ValueType]) { " : $(Format-ApiType $type.BaseType)" } else { '' }
        "$($type.FullName) ($kind$base)"
        foreach ($member in $type.GetMembers($flags)) {
            $line = Format-ApiMember $member -Sealed:$type.IsSealed
            if ($line) { "$($type.FullName) $line" }
        }
    }
}

function Test-ApiVisible {
    param([Reflection.MethodBase] $Method, [switch] $Sealed)
    $null -ne $Method -and ($Method.IsPublic -or (-not $Sealed -and ($Method.IsFamily -or $Method.IsFamilyOrAssembly)))
}

function Get-ApiScope {
    param([Reflection.MethodBase] $Method)
    $scope = if ($Method.IsPublic) { '' } else { 'protected ' }
    if ($Method.IsStatic) { $scope += 'static ' }
    $scope
}

function Format-ApiType {
    param([type] $Type)
    if ($Type.IsGenericType) {
        $arguments = @($Type.GetGenericArguments() | ForEach-Object { Format-ApiType $_ }) -join ', '
        return "$($Type.Namespace).$($Type.Name -replace '`\d+$')[$arguments]"
    }
    if ($Type.FullName) { $Type.FullName } else { $Type.Name }
}

function Format-ApiParameters {
    param([Reflection.MethodBase] $Method)
    (@($Method.GetParameters() | ForEach-Object { "$(Format-ApiType $_.ParameterType) $($_.Name)" }) -join ', ')
}

function Format-ApiMember {
    param([Reflection.MemberInfo] $Member, [switch] $Sealed)
    switch ($Member.MemberType) {
        'Constructor' {
            if (Test-ApiVisible $Member -Sealed:$Sealed) { "$(Get-ApiScope $Member)ctor($(Format-ApiParameters $Member))" }
        }
        'Method' {
            if ((Test-ApiVisible $Member -Sealed:$Sealed) -and -not $Member.IsSpecialName) {
                "$(Get-ApiScope $Member)$(Format-ApiType $Member.ReturnType) $($Member.Name)($(Format-ApiParameters $Member))"
            }
        }
        'Property' {
            $accessors = @(
                if (Test-ApiVisible $Member.GetMethod -Sealed:$Sealed) { 'get;' }
                if (Test-ApiVisible $Member.SetMethod -Sealed:$Sealed) { 'set;' }
            )
            if ($accessors) {
                $accessor = if ($Member.GetMethod) { $Member.GetMethod } else { $Member.SetMethod }
                "$(Get-ApiScope $accessor)$(Format-ApiType $Member.PropertyType) $($Member.Name) { $($accessors -join ' ') }"
            }
        }
        'Field' {
            if (($Member.IsPublic -or (-not $Sealed -and ($Member.IsFamily -or $Member.IsFamilyOrAssembly))) -and -not $Member.IsSpecialName) {
                $static = if ($Member.IsLiteral) { 'const ' } elseif ($Member.IsStatic) { 'static ' } else { '' }
                "$static$(Format-ApiType $Member.FieldType) $($Member.Name)"
            }
        }
        'Event' {
            if (Test-ApiVisible $Member.AddMethod -Sealed:$Sealed) { "event $(Format-ApiType $Member.EventHandlerType) $($Member.Name)" }
        }
        'NestedType' {
            # Listed as types of their own by GetExportedTypes when they are visible.
        }
    }
}

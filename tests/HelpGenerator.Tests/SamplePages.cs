namespace PSThreading.HelpGenerator.Tests
{
    /// <summary>Small pages in PlatyPS's schema, shaped like the module's own, for the tests to read.</summary>
    internal static class SamplePages
    {
        public const string TwoSets = @"---
external help file: Sample.dll-Help.xml
Module Name: Sample
online version:
schema: 2.0.0
---

# Get-Widget

## SYNOPSIS
Gets widgets by `name` or by id.

## SYNTAX

### Name (Default)
```PowerShell
Get-Widget [[-Name] <String[]>] [-Force] [<CommonParameters>]
```

### Id
```PowerShell
Get-Widget -Id <Int32[]> [-Force] [<CommonParameters>]
```

## DESCRIPTION
First paragraph
over two lines.

- one item
- another item

## EXAMPLES

### Example 1: All widgets
```powershell
Get-Widget
```

Gets every widget.

### Example 2: By id
```powershell
Get-Widget -Id 1
```

## PARAMETERS

### -Name
Names to match.

```yaml
Type: String[]
Parameter Sets: Name
Aliases:

Required: False
Position: 0
Default value: None
Accept pipeline input: True (ByPropertyName)
Accept wildcard characters: True
```

### -Id
Ids to match.

```yaml
Type: Int32[]
Parameter Sets: Id
Aliases: WidgetId

Required: True
Position: Named
Default value: None
Accept pipeline input: True (ByPropertyName, ByValue)
Accept wildcard characters: False
```

### -Force
Also hidden widgets.

```yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

### CommonParameters
This cmdlet supports the common parameters.

## INPUTS

### System.String[]
Names, by property.

## OUTPUTS

### Sample.Widget
A widget.

## NOTES
Widgets are cached.

## RELATED LINKS

[Set-Widget](Set-Widget.md)

[Online](https://example.invalid/widgets)
";

        public const string About = @"# about_Widgets

## SHORT DESCRIPTION
What widgets are.

## LONG DESCRIPTION
Widgets are small things that are kept in a cache for as long as the session lasts, and this sentence is long enough to wrap.

### Making one
```powershell
$w = New-Widget
    indented line
```

| Python | Widgets |
|---|---|
| widget() | New-Widget |
| cache | Get-Widget -Cached |

- a bullet whose text is long enough that it has to wrap onto a second line under the first word
- short
";
    }
}

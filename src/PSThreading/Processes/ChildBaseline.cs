using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSThreading.Processes
{
    /// <summary>
    /// The global variables and functions of a child right after it opened. A call's -Begin, -Function and
    /// items leave more; they are removed before the next call. A module other than PowerShell's own and ours
    /// (imported by -Module, or by an item: a login module's context lives in it) is not removed but makes the
    /// child unfit for another call: it is closed instead of kept warm, so no login reaches another call.
    /// </summary>
    internal sealed class ChildBaseline
    {
        private const string Separator = "--PSThreading--";

        private const string OpenScript = @"
param([string] $Module, [string] $Mode)
Import-Module -Name $Module -Global -ErrorAction Stop
(Get-Variable -Scope Global).Name
'" + Separator + @"'
(Get-ChildItem -Path function:).Name
(Get-Module -Name PSThreading).ModuleBase
if ($Mode -ne 'FullLanguage') { $ExecutionContext.SessionState.LanguageMode = $Mode }
";

        private const string CleanScript = @"
param([string[]] $Variables, [string[]] $Functions, [string] $Own)
$private:added = @(Get-Variable -Scope Global | Where-Object { $Variables -notcontains $_.Name })
$private:added | Remove-Variable -Scope Global -Force -ErrorAction Ignore
$private:defined = @(Get-ChildItem -Path function: | Where-Object { $Functions -notcontains $_.Name })
$private:defined | Remove-Item -Force -ErrorAction Ignore
@(Get-Module | Where-Object { $_.ModuleBase -ne $Own -and -not $_.ModuleBase.StartsWith($PSHOME) }).Count -eq 0
";

        private readonly string[] _variables;
        private readonly string[] _functions;
        private readonly string _ownBase;

        private ChildBaseline(string[] variables, string[] functions, string ownBase)
        {
            _variables = variables;
            _functions = functions;
            _ownBase = ownBase;
        }

        /// <summary>Imports PSThreading in the child, sets its language mode and notes what it holds then.</summary>
        public static ChildBaseline Take(Runspace runspace, string modulePath, PSLanguageMode languageMode)
        {
            using (PowerShell ps = PowerShell.Create())
            {
                ps.Runspace = runspace;
                ps.AddScript(OpenScript, useLocalScope: true).AddArgument(modulePath).AddArgument(languageMode.ToString());
                var variables = new List<string>();
                var functions = new List<string>();
                string ownBase = string.Empty;
                bool pastSeparator = false;
                foreach (PSObject value in ps.Invoke())
                {
                    string? name = value?.BaseObject?.ToString();
                    if (name == null)
                    {
                        continue;
                    }

                    if (name == Separator)
                    {
                        pastSeparator = true;
                    }
                    else if (!pastSeparator)
                    {
                        variables.Add(name);
                    }
                    else
                    {
                        functions.Add(name);
                        ownBase = name;
                    }
                }

                if (ps.HadErrors && ps.Streams.Error.Count > 0)
                {
                    throw new InvalidOperationException($"PSThreading could not be imported in a worker process: {ps.Streams.Error[0]}", ps.Streams.Error[0].Exception);
                }

                // The last line was the module's folder, not a function.
                if (functions.Count > 0)
                {
                    functions.RemoveAt(functions.Count - 1);
                }

                return new ChildBaseline(variables.ToArray(), functions.ToArray(), ownBase);
            }
        }

        /// <summary>Removes what a call left; false when the child holds a module and must not serve another call.</summary>
        public bool TryClean(Runspace runspace)
        {
            try
            {
                using (PowerShell ps = PowerShell.Create())
                {
                    ps.Runspace = runspace;
                    ps.AddScript(CleanScript, useLocalScope: true).AddArgument(_variables).AddArgument(_functions).AddArgument(_ownBase);
                    var result = ps.Invoke();
                    return result.Count == 1 && result[0]?.BaseObject is bool clean && clean;
                }
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                return false;
            }
        }
    }
}

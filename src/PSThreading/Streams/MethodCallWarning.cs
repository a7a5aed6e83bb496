using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Streams
{
    /// <summary>
    /// A warning from code that no cmdlet runs (a .NET method a script calls, the module's removal): written
    /// through a script block run on the calling thread, it lands in the running command's warning stream, so
    /// <c>3&gt;&amp;1</c>, <c>-WarningAction</c> and <c>$WarningPreference</c> apply as to any warning.
    /// </summary>
    internal static class MethodCallWarning
    {
        public static void Write(string message)
        {
            if (Runspace.DefaultRunspace == null)
            {
                // A thread PowerShell does not run (a .NET callback): nothing to warn through.
                return;
            }

            try
            {
                ScriptBlock.Create("Write-Warning -Message $args[0]").Invoke(message);
            }
            catch (ActionPreferenceStopException)
            {
                // $WarningPreference = 'Stop': the warning stops the script, as a cmdlet's would.
                throw;
            }
            catch (Exception)
            {
                // No command runs on this thread now (its runspace is idle): the caller's state still says it.
            }
        }
    }
}

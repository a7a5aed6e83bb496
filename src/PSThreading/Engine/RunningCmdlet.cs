using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using PSThreading.Values;

namespace PSThreading.Engine
{
    /// <summary>
    /// The cmdlet the engine runs now on this thread, for code a cmdlet calls without handing itself over (the
    /// module's removal, called by Remove-Module): its WriteWarning honours that command's -WarningAction and
    /// -WarningVariable, which a warning written any other way cannot. The engine keeps it in private members
    /// (ExecutionContext.CurrentCommandProcessor.Command); when they are laid out otherwise this gives null and
    /// the caller warns the general way (loud, never lost).
    /// </summary>
    internal static class RunningCmdlet
    {
        private const BindingFlags Members = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

        public static PSCmdlet? Current()
        {
            try
            {
                Runspace? runspace = Runspace.DefaultRunspace;
                object? context = Read(runspace, "ExecutionContext") ?? Read(runspace, "GetExecutionContext");
                return Read(Read(context, "CurrentCommandProcessor"), "Command") as PSCmdlet;
            }
            catch (Exception)
            {
                return null;
            }
        }

        private static object? Read(object? target, string property)
            => target?.GetType().GetProperty(property, Members)?.GetValue(target);
    }
}

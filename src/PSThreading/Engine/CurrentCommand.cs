using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// The cmdlet the engine runs now on this thread, for code a cmdlet calls without handing itself over (the
    /// module's import and removal, called by Import-Module and Remove-Module): its WriteWarning and WriteVerbose
    /// honour that command's -WarningAction, -WarningVariable and -Verbose, which a record written any other way
    /// cannot. The engine keeps it in ExecutionContext.CurrentCommandProcessor.Command; where that is laid out
    /// otherwise this gives null and the caller writes the general way.
    /// </summary>
    internal static class CurrentCommand
    {
        public const string Name = "CurrentCommand";

        private static readonly PropertyInfo? s_processor;
        private static readonly PropertyInfo? s_command;

        static CurrentCommand()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return;
            }

            PropertyInfo? processor = ExecutionContextOf.PropertyOf(ExecutionContextOf.Property?.PropertyType, "CurrentCommandProcessor");
            PropertyInfo? command = ExecutionContextOf.PropertyOf(processor?.PropertyType, "Command");
            if (processor != null && command != null)
            {
                s_processor = processor;
                s_command = command;
            }
        }

        public static bool IsAvailable => s_command != null;

        public static PSCmdlet? Get()
        {
            if (s_command == null)
            {
                return null;
            }

            try
            {
                object? processor = s_processor!.GetValue(ExecutionContextOf.Read(Runspace.DefaultRunspace));
                return processor == null ? null : s_command.GetValue(processor) as PSCmdlet;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}

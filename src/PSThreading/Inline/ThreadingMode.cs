using System;
using System.Management.Automation;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Inline
{
    /// <summary>
    /// The <c>$PSThreadingMode</c> preference variable: <c>Threads</c> (the default) runs blocks on worker
    /// threads, <c>Inline</c> runs them one at a time on the caller's thread, in the caller's session state, so
    /// that commands resolve as in the caller and Pester mocks apply. Read from the caller's scope chain like
    /// <c>$ErrorActionPreference</c>: a Pester block's variable reaches the script it runs, and a
    /// <c>$global:</c> one reaches code inside modules.
    /// </summary>
    internal static class ThreadingMode
    {
        public const string VariableName = "PSThreadingMode";
        public const string Threads = "Threads";
        public const string Inline = "Inline";

        /// <summary>True when the caller asks for Inline; any value but the two is the caller's terminating error.</summary>
        public static bool IsInline(PSCmdlet cmdlet)
        {
            object? value = cmdlet.SessionState.PSVariable.GetValue(VariableName);
            if (value is PSObject wrapper)
            {
                value = wrapper.BaseObject;
            }

            if (value == null)
            {
                return false;
            }

            string text = value as string ?? LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty;
            if (string.Equals(text, Threads, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (string.Equals(text, Inline, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new ArgumentException(
                    $"$PSThreadingMode is '{text}', which is not a threading mode. The valid values are '{Threads}' (the default: " +
                    $"blocks run on worker threads) and '{Inline}' (blocks run one at a time on the caller's thread, where Pester " +
                    "mocks apply). Set it to one of them, or remove the variable."),
                ErrorIds.InvalidThreadingMode,
                ErrorCategory.InvalidArgument,
                value));
            return false; // Not reached: ThrowTerminatingError always throws.
        }
    }
}

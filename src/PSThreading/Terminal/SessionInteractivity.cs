using System;
using PSThreading.Engine;
using PSThreading.Pool;

namespace PSThreading.Terminal
{
    /// <summary>
    /// Whether a person can answer this process: pwsh started with -NonInteractive cannot read a prompt at all
    /// (its console's Read-Host fails), and a console whose input is not a terminal has nobody to press Ctrl+C.
    /// Read from pwsh's command line, a public fact, not from the console host's private state.
    /// </summary>
    internal static class SessionInteractivity
    {
        private static readonly Lazy<bool> s_nonInteractive = new Lazy<bool>(() => HasNonInteractiveSwitch(Environment.GetCommandLineArgs()));

        /// <summary>True when pwsh was started with -NonInteractive (or a prefix of it pwsh accepts, -noni and longer).</summary>
        public static bool IsNonInteractive => s_nonInteractive.Value;

        /// <summary>True when a person at a terminal can see standard error and press Ctrl+C.</summary>
        public static bool IsPersonAtConsole
        {
            get
            {
                try
                {
                    return !IsNonInteractive && !Console.IsInputRedirected;
                }
                catch (Exception)
                {
                    // No console to ask: nobody is there.
                    return false;
                }
            }
        }

        /// <summary>pwsh's own switches come before the command or script; what follows belongs to the script.</summary>
        internal static bool HasNonInteractiveSwitch(string[] args)
        {
            for (int i = 1; i < args.Length; i++)
            {
                string arg = args[i];
                if (arg.Length < 2 || arg[0] != '-')
                {
                    return false;
                }

                string key = arg.TrimStart('-').ToLowerInvariant();
                if (key.Length >= 4 && "noninteractive".StartsWith(key, StringComparison.Ordinal))
                {
                    return true;
                }

                if (IsPrefixOf(key, "command", 1) || IsPrefixOf(key, "file", 1) || IsPrefixOf(key, "encodedcommand", 1)
                    || key == "ec" || key == "cwa" || IsPrefixOf(key, "commandwithargs", 8))
                {
                    return false;
                }
            }

            return false;
        }

        private static bool IsPrefixOf(string key, string name, int minimum) =>
            key.Length >= minimum && name.StartsWith(key, StringComparison.Ordinal);
    }
}

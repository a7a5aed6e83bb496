using System;
using System.Management.Automation;
using PSThreading.Values;

namespace PSThreading.Completion
{
    /// <summary>Matching and quoting shared by the module's argument completers.</summary>
    internal static class CompletionText
    {
        /// <summary>
        /// A prefix pattern for what the user has typed so far. The word may still carry the quote the user
        /// opened, and may hold wildcards of its own, as PowerShell's own completers allow.
        /// </summary>
        public static WildcardPattern PrefixPattern(string? wordToComplete)
        {
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase);
        }

        /// <summary>A name as it can be typed: bare when it is a plain word, otherwise single-quoted.</summary>
        public static string Quote(string name)
        {
            foreach (char c in name)
            {
                if (!(char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))
                {
                    return "'" + name.Replace("'", "''") + "'";
                }
            }

            return name.Length == 0 || name[0] == '-' ? "'" + name + "'" : name;
        }

        public static string Describe(PSThreading.Core.Threads.WorkerThread thread) =>
            $"{thread.Name} (Id {thread.ManagedThreadId}, {thread.State}, {Math.Round(thread.RunningTime.TotalSeconds, 1)}s)";
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Core.Threads;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Finds threads by name (wildcards) or id for Get-ActiveThread, Wait-WorkerThread and Stop-WorkerThread:
    /// among the live threads and those that ended with output not yet joined. As Get-Process does, a plain
    /// name or an id that matches nothing is a non-terminating ThreadNotFound error; a wildcard is not.
    /// </summary>
    internal static class ThreadLookup
    {
        // The parameter sets of the cmdlets that take threads: as objects, by name, by id.
        public const string ThreadSet = "Thread";
        public const string NameSet = "Name";
        public const string IdSet = "Id";

        /// <summary>
        /// The threads named by <paramref name="names"/>, in start order. With <paramref name="workersOnly"/>, a
        /// wildcard skips the main thread (<c>Wait-WorkerThread -Name *</c> means the workers); a plain name does not.
        /// </summary>
        public static List<WorkerThread> ByName(PSCmdlet cmdlet, IReadOnlyList<WorkerThread> among, string[] names, bool workersOnly)
        {
            var found = new List<WorkerThread>();
            foreach (string name in names)
            {
                bool wildcard = WildcardPattern.ContainsWildcardCharacters(name);
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                int before = found.Count;
                foreach (WorkerThread thread in among)
                {
                    bool skip = wildcard && workersOnly && (thread.Kind == ThreadKind.Main || thread.Kind == ThreadKind.Foreign);
                    if (!skip && pattern.IsMatch(thread.Name) && !found.Contains(thread))
                    {
                        found.Add(thread);
                    }
                }

                if (!wildcard && found.Count == before && !among.Any(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    WriteNotFound(cmdlet, $"No thread is named '{name}'.", name);
                }
            }

            return InStartOrder(found, among);
        }

        /// <summary>The threads with the ids <paramref name="ids"/> (ManagedThreadId), in start order.</summary>
        public static List<WorkerThread> ById(PSCmdlet cmdlet, IReadOnlyList<WorkerThread> among, int[] ids)
        {
            var found = new List<WorkerThread>();
            foreach (int id in ids)
            {
                WorkerThread[] matching = among.Where(t => t.ManagedThreadId == id).ToArray();
                if (matching.Length == 0)
                {
                    WriteNotFound(cmdlet, $"No thread has the id {id}.", id);
                }

                found.AddRange(matching.Where(t => !found.Contains(t)));
            }

            return InStartOrder(found, among);
        }

        private static List<WorkerThread> InStartOrder(List<WorkerThread> found, IReadOnlyList<WorkerThread> among) =>
            among.Where(found.Contains).ToList();

        private static void WriteNotFound(PSCmdlet cmdlet, string what, object target) =>
            cmdlet.WriteError(new ErrorRecord(
                new ItemNotFoundException(what + " Threads that ended are found until their output has been read by Wait-WorkerThread; run Get-ActiveThread to see the live ones."),
                ErrorIds.ThreadNotFound,
                ErrorCategory.ObjectNotFound,
                target));
    }
}

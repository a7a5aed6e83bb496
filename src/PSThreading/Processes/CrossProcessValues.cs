using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PSThreading.Core.Sync;
using PSThreading.Core.Threads;
using PSThreading.Values;

namespace PSThreading.Processes
{
    /// <summary>
    /// What may cross into a worker process. Values are serialized as remoting serializes them, so an object
    /// that exists in one process only (a lock, a queue, an event, a thread) would arrive as a lifeless copy:
    /// it is refused with NotAcrossProcesses before anything starts. A machine lock (-Scope Machine) crosses by
    /// its name and is found again in the child.
    /// </summary>
    internal static class CrossProcessValues
    {
        /// <summary>The key of the table a machine lock crosses as (see <see cref="ProcessItemScript"/>).</summary>
        internal const string MachineLockKey = "__PSThreadingMachineLock";

        // Deep enough for values inside a hashtable of arrays; bounded so a huge collection is not walked for long.
        private const int MaxDepth = 4;
        private const int MaxElements = 10000;

        /// <summary>Caller side: refuses the arguments and $using: values with the caller's terminating error.</summary>
        public static void CheckOrThrow(PSCmdlet caller, object[]? arguments, Hashtable? usingValues, string what)
        {
            ErrorRecord? refusal = null;
            for (int i = 0; refusal == null && arguments != null && i < arguments.Length; i++)
            {
                refusal = Refusal(arguments[i], $"The -ArgumentList value at position {i}", what);
            }

            if (refusal == null && usingValues != null)
            {
                foreach (DictionaryEntry entry in usingValues)
                {
                    refusal = Refusal(entry.Value, "A $using: value", what);
                    if (refusal != null)
                    {
                        break;
                    }
                }
            }

            if (refusal != null)
            {
                caller.ThrowTerminatingError(refusal);
            }
        }

        /// <summary>The NotAcrossProcesses error for <paramref name="value"/>, or null when it may cross.</summary>
        public static ErrorRecord? Refusal(object? value, string origin, string what = "a worker process")
        {
            int seen = 0;
            object? found = FindProcessBound(value, 0, ref seen);
            if (found == null)
            {
                return null;
            }

            var refused = new PSArgumentException(
                $"{origin} is or holds a {Describe(found)}, which lives in this process only and cannot reach {what}: " +
                $"the copy there would be a lifeless snapshot. {Instead(found)}");
            return new ErrorRecord(refused, ProcessErrorIds.NotAcrossProcesses, ErrorCategory.InvalidArgument, found);
        }

        /// <summary>Child-bound copy: a machine lock becomes its name; anything else is itself (remoting serializes it).</summary>
        public static object? ForChild(object? value)
        {
            if (value is PSObject wrapped && wrapped.BaseObject is ThreadLock)
            {
                value = wrapped.BaseObject;
            }

            if (value is ScriptBlockText text)
            {
                // Remoting carries a script block as its text (Start-Job does the same).
                return text.Text;
            }

            if (value is ThreadLock machine && machine.Scope == LockScope.Machine)
            {
                return new Hashtable { [MachineLockKey] = machine.Name, ["Reentrant"] = machine.IsReentrant };
            }

            return value;
        }

        public static object[] ForChild(object[] values)
        {
            var copy = new object[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                copy[i] = ForChild(values[i])!;
            }

            return copy;
        }

        public static Hashtable? ForChild(Hashtable? values)
        {
            if (values == null)
            {
                return null;
            }

            var copy = new Hashtable(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in values)
            {
                copy[entry.Key] = ForChild(entry.Value);
            }

            return copy;
        }

        private static object? FindProcessBound(object? value, int depth, ref int seen)
        {
            if (value == null || value is string || value is ValueType || depth > MaxDepth || ++seen > MaxElements)
            {
                return null;
            }

            if (value is PSObject wrapped)
            {
                return wrapped.BaseObject is PSCustomObject ? null : FindProcessBound(wrapped.BaseObject, depth, ref seen);
            }

            if (value is ThreadLock threadLock)
            {
                return threadLock.Scope == LockScope.Machine ? null : threadLock;
            }

            if (value is ISyncObject || value is WorkerThread || value is System.Management.Automation.Job)
            {
                return value;
            }

            if (value is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    object? found = FindProcessBound(entry.Value, depth + 1, ref seen) ?? FindProcessBound(entry.Key, depth + 1, ref seen);
                    if (found != null)
                    {
                        return found;
                    }
                }

                return null;
            }

            if (value is IEnumerable elements)
            {
                foreach (object? element in elements)
                {
                    object? found = FindProcessBound(element, depth + 1, ref seen);
                    if (found != null)
                    {
                        return found;
                    }
                }
            }

            return null;
        }

        private static string Describe(object value) => value switch
        {
            ThreadLock threadLock => threadLock.IsReentrant ? "ThreadLock (-Reentrant)" : "ThreadLock",
            WorkerThread thread => $"WorkerThread ('{thread.Name}')",
            _ => value.GetType().Name,
        };

        private static string Instead(object value) => value switch
        {
            ThreadLock _ => "Use a machine lock, which every process finds by its name: New-ThreadLock -Name <name> -Scope Machine.",
            ThreadSemaphore _ => "Limit the processes with -ThrottleLimit, or guard the shared resource with a machine lock (New-ThreadLock -Name <name> -Scope Machine).",
            WorkerThread _ => "Pass what the item needs from the thread (its results, its name) instead, or use -Isolation Runspace.",
            _ => "Pass plain data and return results as output (they come back to the caller), or use -Isolation Runspace, where the items share this process.",
        };
    }
}

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

        /// <summary>The key of the table a script block crosses as: its text, made a block again in the child.</summary>
        internal const string ScriptBlockKey = "__PSThreadingScriptBlock";

        /// <summary>
        /// Child side: the script block <c>$__PSTRevive</c>, which turns a value <see cref="ForChild(object)"/> made
        /// back into what the caller passed: a machine lock found again by its name, a script block rebuilt from its
        /// text in the child's runspace (as a runspace worker rebuilds it), an array of them element by element.
        /// </summary>
        internal const string ReviveScript = @"
$__PSTRevive = {
    param($v)
    if ($v -is [hashtable]) {
        if ($v.ContainsKey('" + MachineLockKey + @"')) { return New-ThreadLock -Name $v['" + MachineLockKey + @"'] -Scope Machine -Reentrant:([bool] $v['Reentrant']) }
        if ($v.ContainsKey('" + ScriptBlockKey + @"')) { return [scriptblock]::Create($v['" + ScriptBlockKey + @"']) }
    }
    elseif ($v -is [System.Collections.IList] -and -not ($v -is [string])) {
        $marked = foreach ($e in $v) { if ($e -is [hashtable] -and ($e.ContainsKey('" + MachineLockKey + @"') -or $e.ContainsKey('" + ScriptBlockKey + @"'))) { $true; break } }
        if ($marked) { return , [object[]] @(foreach ($e in $v) { & $__PSTRevive $e }) }
    }
    , $v
}
";

        // Deep enough for values inside a hashtable of arrays; bounded so a huge collection is not walked for long.
        private const int MaxDepth = 4;
        private const int MaxElements = 10000;

        /// <summary>Caller side: refuses the arguments and $using: values with the caller's terminating error.</summary>
        /// <param name="toNode">True for a remote node (-Session): a machine lock of this machine is refused too.</param>
        public static void CheckOrThrow(PSCmdlet caller, object[]? arguments, Hashtable? usingValues, string what, bool toNode = false)
        {
            ErrorRecord? refusal = null;
            for (int i = 0; refusal == null && arguments != null && i < arguments.Length; i++)
            {
                refusal = Refusal(arguments[i], $"The -ArgumentList value at position {i}", what, toNode);
            }

            if (refusal == null && usingValues != null)
            {
                foreach (DictionaryEntry entry in usingValues)
                {
                    refusal = Refusal(entry.Value, "A $using: value", what, toNode);
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
        public static ErrorRecord? Refusal(object? value, string origin, string what = "a worker process", bool toNode = false)
        {
            int seen = 0;
            object? found = FindProcessBound(value, 0, ref seen, toNode);
            if (found == null)
            {
                return null;
            }

            var refused = new PSArgumentException(
                $"{origin} is or holds a {Describe(found)}, which lives in this process only and cannot reach {what}: " +
                $"the copy there would be a lifeless snapshot. {(toNode ? InsteadOnNode : Instead(found))}");
            return new ErrorRecord(refused, ProcessErrorIds.NotAcrossProcesses, ErrorCategory.InvalidArgument, found);
        }

        /// <summary>
        /// Child-bound copy: a machine lock becomes a table naming it, a script block a table holding its text, and an
        /// array holding either is copied with its elements so changed (one level, as runspace workers rebuild them);
        /// anything else is itself (remoting serializes it).
        /// </summary>
        public static object? ForChild(object? value) => Crossing(value, ElementForChild);

        /// <summary>
        /// Node-bound copy (-Session): script blocks marked as for a child, top level and one array level; anything
        /// else as it is. A node is another machine: no machine lock of this one is found there by its name.
        /// </summary>
        public static object? ForNode(object? value) => Crossing(value, BlockForCrossing);

        /// <summary>
        /// <paramref name="value"/> with <paramref name="element"/> applied to it, or to each element of an array (one
        /// level); an array is copied only when an element came out marked, so plain data stays as it was.
        /// </summary>
        private static object? Crossing(object? value, Func<object?, object?> element)
        {
            if (value is WorkerValues.CarriedArray carried)
            {
                return Array.ConvertAll(carried.Elements, e => element(e)!);
            }

            if ((value is PSObject array ? array.BaseObject : value) is object[] elements)
            {
                object[] copy = Array.ConvertAll(elements, e => element(e)!);
                return Array.Exists(copy, IsMarked) ? copy : value;
            }

            return element(value);
        }

        /// <summary>As <see cref="ForNode(object)"/> for each value; null stays null.</summary>
        public static Hashtable? ForNode(Hashtable? values) => CopyWith(values, ForNode);

        /// <summary>A script block (a caller's, or one carried as text) as the table that crosses; anything else as it is.</summary>
        private static object? BlockForCrossing(object? value)
        {
            if ((value is PSObject block ? block.BaseObject : value) is ScriptBlock item)
            {
                // A piped item that is a block: its text only is read here (nothing of it runs on this thread).
                return new Hashtable { [ScriptBlockKey] = item.ToString() };
            }

            // Remoting would carry a script block as a plain string (Start-Job's behaviour): marked instead, so that
            // the other side makes it a block again, as a runspace worker does.
            return value is ScriptBlockText text ? new Hashtable { [ScriptBlockKey] = text.Text } : value;
        }

        private static object? ElementForChild(object? value)
        {
            value = BlockForCrossing(value);
            if (value is PSObject wrapped && wrapped.BaseObject is ThreadLock)
            {
                value = wrapped.BaseObject;
            }

            if (value is ThreadLock machine && machine.Scope == LockScope.Machine)
            {
                return new Hashtable { [MachineLockKey] = machine.Name, ["Reentrant"] = machine.IsReentrant };
            }

            return value;
        }

        /// <summary>True when the child must run <see cref="ReviveScript"/> on <paramref name="value"/> (a value ForChild made).</summary>
        public static bool NeedsReviving(object? value) =>
            IsMarked(value) || (value is object[] elements && Array.Exists(elements, IsMarked));

        /// <summary>True when any of the arguments or $using: values (as ForChild made them) needs reviving in the child.</summary>
        public static bool NeedsReviving(object[] arguments, Hashtable? usingValues)
        {
            if (Array.Exists(arguments, NeedsReviving))
            {
                return true;
            }

            if (usingValues != null)
            {
                foreach (DictionaryEntry entry in usingValues)
                {
                    if (NeedsReviving(entry.Value))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool IsMarked(object? value) =>
            value is Hashtable table && (table.ContainsKey(MachineLockKey) || table.ContainsKey(ScriptBlockKey));

        public static object[] ForChild(object[] values)
        {
            var copy = new object[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                copy[i] = ForChild(values[i])!;
            }

            return copy;
        }

        public static Hashtable? ForChild(Hashtable? values) => CopyWith(values, ForChild);

        private static Hashtable? CopyWith(Hashtable? values, Func<object?, object?> convert)
        {
            if (values == null)
            {
                return null;
            }

            var copy = new Hashtable(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in values)
            {
                copy[entry.Key] = convert(entry.Value);
            }

            return copy;
        }

        private static object? FindProcessBound(object? value, int depth, ref int seen, bool toNode)
        {
            if (value == null || value is string || value is ValueType || depth > MaxDepth || ++seen > MaxElements)
            {
                return null;
            }

            if (value is PSObject wrapped)
            {
                return wrapped.BaseObject is PSCustomObject ? null : FindProcessBound(wrapped.BaseObject, depth, ref seen, toNode);
            }

            if (value is ThreadLock threadLock)
            {
                // A machine lock is found again by its name in a child; a node is another machine, with locks of its own.
                return threadLock.Scope == LockScope.Machine && !toNode ? null : threadLock;
            }

            if (value is ISyncObject || value is WorkerThread || value is System.Management.Automation.Job)
            {
                return value;
            }

            if (value is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    object? found = FindProcessBound(entry.Value, depth + 1, ref seen, toNode) ?? FindProcessBound(entry.Key, depth + 1, ref seen, toNode);
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
                    object? found = FindProcessBound(element, depth + 1, ref seen, toNode);
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
            ThreadLock threadLock when threadLock.Scope == LockScope.Machine => "ThreadLock (-Scope Machine)",
            ThreadLock threadLock => threadLock.IsReentrant ? "ThreadLock (-Reentrant)" : "ThreadLock",
            WorkerThread thread => $"WorkerThread ('{thread.Name}')",
            _ => value.GetType().Name,
        };

        private const string InsteadOnNode = "A node is another machine: pass plain data, and guard what the nodes share on their side.";

        private static string Instead(object value) => value switch
        {
            ThreadLock _ => "Use a machine lock, which every process finds by its name: New-ThreadLock -Name <name> -Scope Machine.",
            ThreadSemaphore _ => "Limit the processes with -ThrottleLimit, or guard the shared resource with a machine lock (New-ThreadLock -Name <name> -Scope Machine).",
            WorkerThread _ => "Pass what the item needs from the thread (its results, its name) instead, or use -Isolation Runspace.",
            _ => "Pass plain data and return results as output (they come back to the caller), or use -Isolation Runspace, where the items share this process.",
        };
    }
}

using System;
using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using PSThreading.Engine;
using PSThreading.Errors;
using PSThreading.Pool;

namespace PSThreading.Values
{
    /// <summary>
    /// Carries values into a worker: -ArgumentList values, <c>$using:</c> values and pool input items.
    /// A script block, given directly or as an element of an array given directly, travels as its text and is
    /// rebuilt in the worker's runspace. Anything else bound to the caller's runspace (a script block deeper in
    /// a hashtable or object, a PowerShell class instance, an object with script members) is refused with a
    /// named error: copying containers would break the shared-by-reference hashtables users rely on.
    /// </summary>
    internal static class WorkerValues
    {
        /// <summary>
        /// Caller side, on the pipeline thread: the arguments ready to cross, the same array when nothing changed.
        /// A value that cannot cross is the caller's terminating error; nothing has been started then.
        /// </summary>
        public static object[]? ForWorker(object[]? arguments, PSCmdlet caller)
        {
            if (arguments == null)
            {
                return null;
            }

            object[]? copy = null;
            for (int i = 0; i < arguments.Length; i++)
            {
                object? ready = ForWorker(arguments[i], "The -ArgumentList value at position " + i, caller);
                if (!ReferenceEquals(ready, arguments[i]))
                {
                    copy ??= (object[])arguments.Clone();
                    copy[i] = ready!;
                }
            }

            return copy ?? arguments;
        }

        /// <summary>Caller side: one value ready to cross; <paramref name="origin"/> names it in the error.</summary>
        public static object? ForWorker(object? value, string origin, PSCmdlet caller)
        {
            try
            {
                return Portable(value, origin);
            }
            catch (RunspaceBoundValueException ex)
            {
                caller.ThrowTerminatingError(ex.ToErrorRecord());
                throw; // Not reached: ThrowTerminatingError always throws.
            }
        }

        /// <summary>
        /// Worker side, on the worker's thread, for a pool input item: the item as the block sees it, a script
        /// block rebuilt in <paramref name="worker"/>. Throws <see cref="RunspaceBoundValueException"/> for an item
        /// that cannot be used on this thread.
        /// </summary>
        public static object? ItemInWorker(object? item, Runspace worker)
        {
            // Tiny items (numbers, strings) are the common case and pay only for these checks.
            if (item == null || item is ValueType || item is string)
            {
                return item;
            }

            object? portable = Portable(item, "The input item");
            return ReferenceEquals(portable, item) ? item : InWorker(portable, worker);
        }

        /// <summary>Worker side: the arguments with every carried script block rebuilt in <paramref name="worker"/>.</summary>
        public static object[] InWorker(object[] values, Runspace worker)
        {
            object[]? copy = null;
            for (int i = 0; i < values.Length; i++)
            {
                object? rebuilt = InWorker(values[i], worker);
                if (!ReferenceEquals(rebuilt, values[i]))
                {
                    copy ??= (object[])values.Clone();
                    copy[i] = rebuilt!;
                }
            }

            return copy ?? values;
        }

        /// <summary>
        /// Worker side: the <c>$using:</c> values with carried script blocks rebuilt; a copy when there were any,
        /// since the same table serves every worker of a pool.
        /// </summary>
        public static Hashtable? InWorker(Hashtable? usingValues, Runspace worker)
        {
            if (usingValues == null)
            {
                return null;
            }

            Hashtable? copy = null;
            foreach (DictionaryEntry entry in usingValues)
            {
                object? rebuilt = InWorker(entry.Value, worker);
                if (!ReferenceEquals(rebuilt, entry.Value))
                {
                    copy ??= new Hashtable(usingValues, StringComparer.Ordinal);
                    copy[entry.Key] = rebuilt;
                }
            }

            return copy ?? usingValues;
        }

        private static object? InWorker(object? value, Runspace worker)
        {
            switch (value)
            {
                case ScriptBlockText text:
                    return text.Rebuild(worker);
                case CarriedArray array:
                    var elements = new object?[array.Elements.Length];
                    for (int i = 0; i < elements.Length; i++)
                    {
                        elements[i] = array.Elements[i] is ScriptBlockText element ? element.Rebuild(worker) : array.Elements[i];
                    }

                    return elements;
                default:
                    return value;
            }
        }

        /// <summary>The value with script blocks replaced by their text; throws for what cannot cross.</summary>
        private static object? Portable(object? value, string origin)
        {
            if ((value is PSObject wrapper ? wrapper.BaseObject : value) is object[] array)
            {
                return PortableArray(array, origin);
            }

            RunspaceBinding binding = RunspaceAffinity.Find(value, out object? found, out string? detail, out bool isSelf);
            if (binding == RunspaceBinding.ScriptBlock && isSelf)
            {
                return Text(value!, origin);
            }

            if (binding != RunspaceBinding.None)
            {
                throw Refusal(binding, origin, found, detail, inside: !isSelf);
            }

            return value;
        }

        private static object PortableArray(object[] array, string origin)
        {
            object?[]? elements = null;
            for (int i = 0; i < array.Length; i++)
            {
                string elementOrigin = origin + " (element " + i + ")";
                RunspaceBinding binding = RunspaceAffinity.Find(array[i], out object? found, out string? detail, out bool isSelf);
                if (binding == RunspaceBinding.ScriptBlock && isSelf)
                {
                    elements ??= (object?[])array.Clone();
                    elements[i] = Text(array[i], elementOrigin);
                }
                else if (binding != RunspaceBinding.None)
                {
                    throw Refusal(binding, elementOrigin, found, detail, inside: !isSelf);
                }
            }

            // Copied only when it held script blocks: an array of data stays the caller's own object.
            return elements == null ? array : new CarriedArray(elements);
        }

        private static ScriptBlockText Text(object value, string origin)
        {
            var block = (ScriptBlock)(value is PSObject wrapper ? wrapper.BaseObject : value);
            Ast root = block.Ast;
            if (root.Find(a => a is UsingExpressionAst && !WorkerScript.IsInNestedScriptBlock(a, root), searchNestedScriptBlocks: true) is Ast usingAst)
            {
                throw new RunspaceBoundValueException(
                    ErrorIds.UsingInScriptBlockValue,
                    $"{origin} is a script block that reads '{usingAst.Extent.Text}'. A script block passed as a value is rebuilt from its text in the worker and has no $using: values of its own. Pass the value as an argument of that block, or read it with $using: in the main block.",
                    value);
            }

            return new ScriptBlockText(block);
        }

        private static RunspaceBoundValueException Refusal(RunspaceBinding binding, string origin, object? value, string? detail, bool inside)
        {
            string what = inside ? $"{origin} holds, inside it," : $"{origin} is";
            switch (binding)
            {
                case RunspaceBinding.ScriptBlock:
                    return new RunspaceBoundValueException(
                        ErrorIds.ScriptBlockInContainer,
                        $"{what} a script block. A script block belongs to the runspace that made it and must not run on another thread. Pass the block itself as an argument or a $using: value (the worker rebuilds it from its text), or pass its text ($sb.ToString()) and create it in the worker with [scriptblock]::Create().",
                        value);
                case RunspaceBinding.ClassInstance:
                    return new RunspaceBoundValueException(
                        ErrorIds.RunspaceBoundClassInstance,
                        $"{what} an instance of the PowerShell class [{detail}]. Its methods run in the runspace that defined the class, not in the worker, and give wrong results from another thread. " +
                        (ClassRunspaceAffinity.IsAvailable
                            ? "Mark the class [NoRunspaceAffinity()] (PowerShell 7.4 and later), define the class in the worker's block, or pass plain data."
                            : "This PowerShell does not say which class instances are bound to their runspace, so every one is refused, [NoRunspaceAffinity()] ones too: define the class in the worker's block, or pass plain data."),
                        value);
                default:
                    return new RunspaceBoundValueException(
                        ErrorIds.RunspaceBoundScriptMember,
                        $"{what} an object with the script member '{detail}' (Add-Member ScriptMethod or ScriptProperty). Its script runs in the caller's runspace, not in the worker, and gives wrong results from another thread. Pass plain data (note properties) and do the work in the worker's block.",
                        value);
            }
        }

        /// <summary>An array given directly whose script blocks travel as text; rebuilt as a new array in the worker.</summary>
        internal sealed class CarriedArray
        {
            public CarriedArray(object?[] elements)
            {
                Elements = elements;
            }

            public object?[] Elements { get; }
        }
    }

    /// <summary>A value that cannot be used on a worker's thread; carries the ErrorId that says why.</summary>
    internal sealed class RunspaceBoundValueException : Exception
    {
        public RunspaceBoundValueException(string errorId, string message, object? value)
            : base(message)
        {
            ErrorId = errorId;
            Value = value;
        }

        public string ErrorId { get; }

        public object? Value { get; }

        public ErrorRecord ToErrorRecord() => new ErrorRecord(this, ErrorId, ErrorCategory.InvalidArgument, Value);
    }
}

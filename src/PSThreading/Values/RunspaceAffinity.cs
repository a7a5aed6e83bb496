using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Values
{
    /// <summary>What in a value would run script in the runspace that made it, whichever thread uses it.</summary>
    internal enum RunspaceBinding
    {
        None,
        ScriptBlock,
        ClassInstance,
        ScriptMember,
    }

    /// <summary>
    /// Finds the parts of a value that belong to the caller's runspace: script blocks, instances of PowerShell
    /// classes (their methods run in the session state that defined the class) and objects carrying script
    /// members added with Add-Member. Used on the way into a worker, so it must stay cheap for plain data.
    /// </summary>
    internal static class RunspaceAffinity
    {
        /// <summary>How deep into hashtables, lists and objects the search looks: what users nest in practice.</summary>
        internal const int MaxDepth = 3;

        // Bounds the cost for big collections passed as shared state: the search stops after this many values.
        private const int MaxVisited = 10_000;

        /// <summary>
        /// Finds the first part of the value bound to a runspace: the value itself (<paramref name="isSelf"/>),
        /// or a key, value, element or note property value up to <see cref="MaxDepth"/> levels inside it.
        /// Only collections with an index or keys are read: enumerating any other IEnumerable could run code or
        /// consume it.
        /// </summary>
        public static RunspaceBinding Find(object? value, out object? found, out string? detail, out bool isSelf)
        {
            int budget = MaxVisited;
            RunspaceBinding binding = Find(value, 0, ref budget, out found, out detail);
            isSelf = ReferenceEquals(found, value);
            return binding;
        }

        private static RunspaceBinding Find(object? value, int depth, ref int budget, out object? found, out string? detail)
        {
            found = value;
            detail = null;
            switch (value)
            {
                case null:
                case string _:
                case ValueType _:
                    return RunspaceBinding.None;
                case ScriptBlock _:
                    return RunspaceBinding.ScriptBlock;
                case PSObject wrapper when wrapper.BaseObject is ScriptBlock:
                    return RunspaceBinding.ScriptBlock;
            }

            object bare = value is PSObject psObject ? psObject.BaseObject : value;
            if (ClassRunspaceAffinity.IsBound(bare))
            {
                detail = bare.GetType().FullName;
                return RunspaceBinding.ClassInstance;
            }

            // One look at the added members serves both checks: they cost the most to read.
            List<object?>? parts = depth < MaxDepth ? new List<object?>() : null;
            foreach (PSMemberInfo member in AddedMembers(value))
            {
                if (member is PSScriptMethod || member is PSScriptProperty)
                {
                    detail = member.Name;
                    return RunspaceBinding.ScriptMember;
                }

                if (member is PSNoteProperty note)
                {
                    parts?.Add(note.Value);
                }
            }

            if (parts == null)
            {
                return RunspaceBinding.None;
            }

            AddContents(bare, parts, Math.Max(budget, 0));
            foreach (object? part in parts)
            {
                if (--budget < 0)
                {
                    break;
                }

                RunspaceBinding binding = Find(part, depth + 1, ref budget, out found, out detail);
                if (binding != RunspaceBinding.None)
                {
                    return binding;
                }
            }

            found = null;
            return RunspaceBinding.None;
        }

        /// <summary>Keys and values of a dictionary, elements of a list that can hold objects.</summary>
        private static void AddContents(object bare, List<object?> parts, int limit)
        {
            try
            {
                if (bare is IDictionary dictionary)
                {
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (parts.Count >= limit)
                        {
                            break;
                        }

                        parts.Add(entry.Key);
                        parts.Add(entry.Value);
                    }
                }
                else if (bare is IList list && CanHoldObjects(bare.GetType()))
                {
                    foreach (object? element in list)
                    {
                        if (parts.Count >= limit)
                        {
                            break;
                        }

                        parts.Add(element);
                    }
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is NotSupportedException)
            {
                // Another thread changed a shared collection while it was read: what was read is searched.
            }
        }

        /// <summary>False for typed collections such as int[] or List[string]: they cannot hold a script block.</summary>
        private static bool CanHoldObjects(Type type)
        {
            if (type.IsArray)
            {
                return !IsPlainData(type.GetElementType());
            }

            if (type.IsGenericType)
            {
                foreach (Type argument in type.GetGenericArguments())
                {
                    if (!IsPlainData(argument))
                    {
                        return true;
                    }
                }

                return false;
            }

            return true;
        }

        private static bool IsPlainData(Type? type) => type != null && (type.IsValueType || type == typeof(string));

        /// <summary>The members added to this object (Add-Member), without the type's own or type-data members.</summary>
        private static IEnumerable<PSMemberInfo> AddedMembers(object value)
        {
            if (Engine.InstanceMembers.IsAvailable)
            {
                return Engine.InstanceMembers.Of(value) ?? (IEnumerable<PSMemberInfo>)Array.Empty<PSMemberInfo>();
            }

            // The public way, slower: every member, the instance's own marked IsInstance (type-data ones are not).
            var added = new List<PSMemberInfo>();
            foreach (PSMemberInfo member in PSObject.AsPSObject(value).Members)
            {
                if (member.IsInstance && (member is PSNoteProperty || member is PSScriptMethod || member is PSScriptProperty))
                {
                    added.Add(member);
                }
            }

            return added;
        }
    }
}

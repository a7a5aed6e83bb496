using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace PSThreading.Runtime
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

        // The engine keeps the session state a class instance runs its methods in here (TypeDefiner's
        // SessionStateFieldName); [NoRunspaceAffinity()] classes leave it null.
        private const string ClassSessionStateField = "__sessionState";

        private static readonly ConcurrentDictionary<Type, FieldInfo[]> s_classSessionStateFields = new ConcurrentDictionary<Type, FieldInfo[]>();

        // PSObject.HasInstanceMembers(object, out collection): internal, the same in Windows PowerShell 5.1 and 7.
        // The public Members list mixes in type-data members, which run in the worker's own runspace and are fine.
        private static readonly MethodInfo? s_hasInstanceMembers = FindHasInstanceMembers();

        /// <summary>What the value itself is, not looking inside it.</summary>
        public static RunspaceBinding Of(object? value, out string? detail)
        {
            detail = null;
            switch (value)
            {
                case null:
                case string _:
                case ValueType _:
                    return RunspaceBinding.None;
                case ScriptBlock _:
                    return RunspaceBinding.ScriptBlock;
            }

            if (value is PSObject wrapper && wrapper.BaseObject is ScriptBlock)
            {
                return RunspaceBinding.ScriptBlock;
            }

            object bare = value is PSObject psObject ? psObject.BaseObject : value;
            if (IsBoundClassInstance(bare))
            {
                detail = bare.GetType().FullName;
                return RunspaceBinding.ClassInstance;
            }

            foreach (PSMemberInfo member in InstanceMembers(value))
            {
                if (member is PSScriptMethod || member is PSScriptProperty)
                {
                    detail = member.Name;
                    return RunspaceBinding.ScriptMember;
                }
            }

            return RunspaceBinding.None;
        }

        /// <summary>
        /// Looks inside hashtables, lists and objects' note properties, up to <see cref="MaxDepth"/> levels, for a
        /// part bound to a runspace. Only collections with an index or keys are read: enumerating any other
        /// IEnumerable could run code or consume it.
        /// </summary>
        public static RunspaceBinding FindInside(object? value, out object? found, out string? detail)
        {
            int budget = MaxVisited;
            return FindInside(value, 1, ref budget, out found, out detail);
        }

        private static RunspaceBinding FindInside(object? value, int depth, ref int budget, out object? found, out string? detail)
        {
            found = null;
            detail = null;
            if (value == null || value is string || value is ValueType)
            {
                return RunspaceBinding.None;
            }

            foreach (object? part in PartsOf(value, Math.Max(budget, 0)))
            {
                if (--budget < 0)
                {
                    return RunspaceBinding.None;
                }

                RunspaceBinding binding = Of(part, out detail);
                if (binding != RunspaceBinding.None)
                {
                    found = part;
                    return binding;
                }

                if (depth < MaxDepth)
                {
                    binding = FindInside(part, depth + 1, ref budget, out found, out detail);
                    if (binding != RunspaceBinding.None)
                    {
                        return binding;
                    }
                }
            }

            return RunspaceBinding.None;
        }

        /// <summary>Keys and values of a dictionary, elements of a list, note property values of an object.</summary>
        private static List<object?> PartsOf(object value, int limit)
        {
            var parts = new List<object?>();
            try
            {
                foreach (PSMemberInfo member in InstanceMembers(value))
                {
                    if (member is PSNoteProperty note)
                    {
                        parts.Add(note.Value);
                    }
                }

                object bare = value is PSObject psObject ? psObject.BaseObject : value;
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
            catch (Exception ex) when (ex is InvalidOperationException || ex is NotSupportedException || ex is ExtendedTypeSystemException)
            {
                // Another thread changed a shared collection while it was read: what was read is searched.
            }

            return parts;
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

        /// <summary>An instance of a PowerShell class with methods, tied to the session state that created it.</summary>
        private static bool IsBoundClassInstance(object value)
        {
            Type type = value.GetType();
            if (!type.Assembly.IsDynamic)
            {
                return false;
            }

            foreach (FieldInfo field in s_classSessionStateFields.GetOrAdd(type, SessionStateFields))
            {
                if (field.GetValue(value) != null)
                {
                    return true;
                }
            }

            return false;
        }

        private static FieldInfo[] SessionStateFields(Type type)
        {
            var fields = new List<FieldInfo>();
            for (Type? current = type; current != null && current.Assembly.IsDynamic; current = current.BaseType)
            {
                FieldInfo? field = current.GetField(ClassSessionStateField, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
                if (field != null && field.FieldType.Name == "SessionStateInternal")
                {
                    fields.Add(field);
                }
            }

            return fields.ToArray();
        }

        /// <summary>The members added to this object (Add-Member), without the type's own or type-data members.</summary>
        private static IEnumerable<PSMemberInfo> InstanceMembers(object value)
        {
            if (s_hasInstanceMembers == null)
            {
                // Fallback: a PSCustomObject's members are almost all its own.
                return value is PSObject custom && custom.BaseObject is PSCustomObject ? custom.Members : (IEnumerable<PSMemberInfo>)Array.Empty<PSMemberInfo>();
            }

            var arguments = new object?[] { value, null };
            if (s_hasInstanceMembers.Invoke(null, arguments) is bool has && has && arguments[1] is IEnumerable<PSMemberInfo> members)
            {
                return members;
            }

            return Array.Empty<PSMemberInfo>();
        }

        private static MethodInfo? FindHasInstanceMembers()
        {
            try
            {
                MethodInfo? method = typeof(PSObject).GetMethod("HasInstanceMembers", BindingFlags.NonPublic | BindingFlags.Static);
                ParameterInfo[]? parameters = method?.GetParameters();
                return method != null && method.ReturnType == typeof(bool) && parameters!.Length == 2 && parameters[1].IsOut ? method : null;
            }
            catch (AmbiguousMatchException)
            {
                return null;
            }
        }
    }
}

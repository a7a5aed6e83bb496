using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Engine
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

        // The public Members list mixes in type-data members, which run in the worker's own runspace and are fine:
        // only the members added to the object itself are bound to the caller.
        private static readonly Func<object, IEnumerable<PSMemberInfo>?>? s_instanceMembers = CompileInstanceMembers();

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
            if (IsBoundClassInstance(bare))
            {
                detail = bare.GetType().FullName;
                return RunspaceBinding.ClassInstance;
            }

            // One look at the added members serves both checks: they cost the most to read.
            List<object?>? parts = depth < MaxDepth ? new List<object?>() : null;
            foreach (PSMemberInfo member in InstanceMembers(value))
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

        /// <summary>An instance of a PowerShell class with methods, tied to the session state that created it.</summary>
        private static bool IsBoundClassInstance(object value)
        {
            // Cached per type, with an empty list for every ordinary type: Type.Assembly is not free per item.
            foreach (FieldInfo field in s_classSessionStateFields.GetOrAdd(value.GetType(), SessionStateFields))
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
            if (!type.Assembly.IsDynamic)
            {
                return Array.Empty<FieldInfo>();
            }

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
            if (s_instanceMembers == null)
            {
                // Fallback: a PSCustomObject's members are almost all its own.
                return value is PSObject custom && custom.BaseObject is PSCustomObject ? custom.Members : (IEnumerable<PSMemberInfo>)Array.Empty<PSMemberInfo>();
            }

            return s_instanceMembers(value) ?? (IEnumerable<PSMemberInfo>)Array.Empty<PSMemberInfo>();
        }

        /// <summary>
        /// A compiled call of the internal <c>PSObject.HasInstanceMembers(object, out collection)</c>, the same in
        /// Windows PowerShell 5.1 and 7: it is checked for every pool item that is an object, and a reflection
        /// call costs several times more. Null when this PowerShell has no such method.
        /// </summary>
        private static Func<object, IEnumerable<PSMemberInfo>?>? CompileInstanceMembers()
        {
            try
            {
                MethodInfo? method = typeof(PSObject).GetMethod("HasInstanceMembers", BindingFlags.NonPublic | BindingFlags.Static);
                ParameterInfo[]? parameters = method?.GetParameters();
                if (method == null || method.ReturnType != typeof(bool) || parameters!.Length != 2 || !parameters[1].IsOut)
                {
                    return null;
                }

                Type? collectionType = parameters[1].ParameterType.GetElementType();
                if (collectionType == null || !typeof(IEnumerable<PSMemberInfo>).IsAssignableFrom(collectionType))
                {
                    return null;
                }

                ParameterExpression target = Expression.Parameter(typeof(object), "target");
                ParameterExpression members = Expression.Variable(collectionType, "members");
                Expression body = Expression.Block(
                    typeof(IEnumerable<PSMemberInfo>),
                    new[] { members },
                    Expression.Condition(
                        Expression.Call(method, target, members),
                        Expression.Convert(members, typeof(IEnumerable<PSMemberInfo>)),
                        Expression.Constant(null, typeof(IEnumerable<PSMemberInfo>))));
                return Expression.Lambda<Func<object, IEnumerable<PSMemberInfo>?>>(body, target).Compile();
            }
            catch (Exception ex) when (ex is AmbiguousMatchException || ex is ArgumentException || ex is InvalidOperationException || ex is MemberAccessException)
            {
                return null;
            }
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// Whether an instance of a PowerShell class is bound to the runspace that defined it: its methods then run in
    /// that runspace's session state, which the engine keeps in a field of the instance (TypeDefiner's
    /// SessionStateFieldName, "__sessionState"); [NoRunspaceAffinity()] classes leave it null. Where that cannot
    /// be read, every PowerShell class instance counts as bound: refused, never let through unchecked.
    /// </summary>
    internal static class ClassRunspaceAffinity
    {
        public const string Name = "ClassRunspaceAffinity";

        private static readonly string? s_fieldName = FindFieldName();

        private static readonly ConcurrentDictionary<Type, FieldInfo[]?> s_fields = new ConcurrentDictionary<Type, FieldInfo[]?>();

        public static bool IsAvailable => s_fieldName != null;

        /// <summary>An instance of a PowerShell class with methods, tied to the session state that created it.</summary>
        public static bool IsBound(object value)
        {
            // Cached per type, with an empty list for every ordinary type: Type.Assembly is not free per item.
            FieldInfo[]? fields = s_fields.GetOrAdd(value.GetType(), SessionStateFields);
            if (fields == null)
            {
                // A PowerShell class (a type the engine emitted) whose binding cannot be read: closed.
                return true;
            }

            foreach (FieldInfo field in fields)
            {
                if (field.GetValue(value) != null)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The session-state fields of a class and its PowerShell base classes; null when they cannot be told.</summary>
        private static FieldInfo[]? SessionStateFields(Type type)
        {
            if (!type.Assembly.IsDynamic)
            {
                return Array.Empty<FieldInfo>();
            }

            if (s_fieldName == null)
            {
                return null;
            }

            var fields = new List<FieldInfo>();
            for (Type? current = type; current != null && current.Assembly.IsDynamic; current = current.BaseType)
            {
                FieldInfo? field = current.GetField(s_fieldName, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
                if (field != null && field.FieldType.Name == "SessionStateInternal")
                {
                    fields.Add(field);
                }
            }

            return fields.ToArray();
        }

        /// <summary>The field's name as the engine itself names it when it defines a class.</summary>
        private static string? FindFieldName()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

            try
            {
                Type? definer = typeof(PSObject).Assembly.GetType("System.Management.Automation.Language.TypeDefiner");
                FieldInfo? name = definer?.GetField("SessionStateFieldName", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
                return name?.GetValue(null) as string is string found && found.Length > 0 ? found : null;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSThreading.Values;

namespace PSThreading.Attributes
{
    /// <summary>
    /// Get-ActiveThread's -Name from the pipeline by value. The binder would turn any object into its text:
    /// `[pscustomobject]@{ Id = 5 } | Get-ActiveThread` bound -Id by property name and -Name as '@{Id=5}', and
    /// failed on that name. Here a string or number stays itself, an object gives its Name property, and an
    /// object without one gives <see cref="NoName"/>, which the cmdlet drops (its -Id is bound by property name).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class PipedNameTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <summary>Stands for "this object has no name": never a thread's name (a name is never a NUL character).</summary>
        public const string NoName = "\0";

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? bare = Unwrap(inputData);
            if (bare is string || !(bare is IEnumerable items))
            {
                return NameOf(inputData);
            }

            var names = new List<object?>();
            foreach (object? item in items)
            {
                names.Add(NameOf(item));
            }

            return names.ToArray();
        }

        /// <summary>The names given, without the stand-ins of objects that had none; null when none is left.</summary>
        public static string[]? WithoutNoName(string[]? names)
        {
            if (names == null || !names.Contains(NoName))
            {
                return names;
            }

            string[] left = names.Where(n => n != NoName).ToArray();
            return left.Length == 0 ? null : left;
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

        private static object? NameOf(object? value)
        {
            object? bare = Unwrap(value);
            if (bare == null || bare is string || bare is char || bare.GetType().IsPrimitive)
            {
                return value;
            }

            return PSObject.AsPSObject(value).Properties["Name"]?.Value is string name ? name : NoName;
        }
    }
}

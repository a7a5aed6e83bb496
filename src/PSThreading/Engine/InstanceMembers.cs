using System;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// The members added to a value itself (Add-Member), read by the internal <c>PSObject.HasInstanceMembers(object,
    /// out collection)</c>, the same in Windows PowerShell 5.1 and 7: it is checked for every pool item that is an
    /// object, and both a reflection call and the public PSObject.Members cost several times more.
    /// </summary>
    internal static class InstanceMembers
    {
        public const string Name = "InstanceMembers";

        private static readonly Func<object, IEnumerable<PSMemberInfo>?>? s_instanceMembers = Compile();

        public static bool IsAvailable => s_instanceMembers != null;

        /// <summary>The members added to <paramref name="value"/>, or null when it has none (or this is not available).</summary>
        public static IEnumerable<PSMemberInfo>? Of(object value) => s_instanceMembers?.Invoke(value);

        private static Func<object, IEnumerable<PSMemberInfo>?>? Compile()
        {
            if (CapabilityOverride.IsDisabled(Name))
            {
                return null;
            }

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
            catch (Exception)
            {
                return null;
            }
        }
    }
}

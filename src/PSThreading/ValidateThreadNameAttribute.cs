using System;
using System.Management.Automation;

namespace PSThreading
{
    /// <summary>A thread name: not empty and not only white space.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateThreadNameAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if (arguments is string name && string.IsNullOrWhiteSpace(name))
            {
                throw new ValidationMetadataException("A thread name cannot be empty or white space. Give a name, or leave -Name out for Thread-N.");
            }
        }
    }
}

using System;
using System.Collections;
using System.Management.Automation;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Attributes
{
    /// <summary>
    /// A name given explicitly: not null, not empty, not only white space; for a list, each element. A
    /// blank name would otherwise slip through ValidateNotNullOrEmpty and fail later with a vaguer error (or,
    /// for Get-ActiveThread, match nothing). Refused at binding, as ParameterArgumentValidationError.
    /// </summary>
    internal abstract class ValidateNameAttribute : ValidateArgumentsAttribute
    {
        /// <summary>What to tell the user: which kind of name, and what to give instead.</summary>
        protected abstract string Advice { get; }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object? value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
            if (value is IEnumerable list && !(value is string))
            {
                foreach (object? element in list)
                {
                    Check(element is PSObject inner ? inner.BaseObject : element);
                }

                return;
            }

            Check(value);
        }

        private void Check(object? value)
        {
            if (value == null || (value is string name && string.IsNullOrWhiteSpace(name)))
            {
                throw new ValidationMetadataException(Advice);
            }
        }
    }

    /// <summary>A thread name (Start-WorkerThread -Name, Get-ActiveThread -Name).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateThreadNameAttribute : ValidateNameAttribute
    {
        protected override string Advice =>
            "A thread name cannot be null, empty or white space. Give a name, or leave -Name out (Start-WorkerThread then names the thread Thread-N).";
    }

    /// <summary>A lock or semaphore name (New-ThreadLock, New-ThreadSemaphore, Invoke-WithLock -Name).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateLockNameAttribute : ValidateNameAttribute
    {
        protected override string Advice =>
            "A lock or semaphore name cannot be null, empty or white space. Give a name, or leave -Name out for an unnamed lock (with Invoke-WithLock, pass the lock itself with -Lock).";
    }
}

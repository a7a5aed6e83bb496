using System;
using System.Management.Automation;
using PSThreading.Pool;

namespace PSThreading.Values
{
    /// <summary>
    /// What a block threw when it was not an exception (<c>throw @{ code = 5 }</c>): PowerShell wraps the object
    /// in a RuntimeException and keeps it only as the TargetObject of the error record. The records this module
    /// writes for a failed thread or pool item take the thread or the item as their target, so the exception is
    /// made to carry the original record: <c>$_.Exception.ErrorRecord.TargetObject</c> is the thrown object.
    /// </summary>
    internal static class ThrownObject
    {
        /// <summary>The record's exception, or one that carries the record when the block threw a non-exception.</summary>
        public static Exception ExceptionOf(ErrorRecord original)
        {
            if (original.TargetObject == null
                || !(original.Exception is RuntimeException thrown)
                || !thrown.WasThrownFromThrowStatement
                || ReferenceEquals(thrown.ErrorRecord, original))
            {
                return original.Exception;
            }

            return new RuntimeException(thrown.Message, thrown.InnerException, original)
            {
                WasThrownFromThrowStatement = true,
            };
        }
    }
}

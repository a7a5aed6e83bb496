using System;
using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Errors
{
    /// <summary>
    /// A parameter value that no validation attribute can refuse (it depends on another parameter, or is NaN,
    /// which ValidateRange lets through), refused with the id and category that binding gives the others.
    /// </summary>
    internal static class ParameterValidationError
    {
        public const string ErrorId = "ParameterArgumentValidationError";

        public static ErrorRecord Create(string parameter, object value, string message) => new ErrorRecord(
            new ArgumentException(message, parameter), ErrorId, ErrorCategory.InvalidData, value);
    }
}

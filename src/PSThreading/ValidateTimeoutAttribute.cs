using System;
using System.Management.Automation;

namespace PSThreading
{
    /// <summary>
    /// A timeout in seconds: zero or more, fractions allowed. ValidateRange lets NaN through (every
    /// comparison with NaN is false), so the check is written out.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateTimeoutAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            double seconds = arguments is double d ? d : Convert.ToDouble(arguments, System.Globalization.CultureInfo.InvariantCulture);
            if (double.IsNaN(seconds) || seconds < 0)
            {
                throw new ValidationMetadataException(
                    $"The timeout {seconds} is not valid. Give a number of seconds, 0 or more (fractions such as 0.5 are allowed).");
            }
        }
    }
}

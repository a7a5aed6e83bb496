using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace PSThreading.Pool
{
    /// <summary>
    /// The HTTP response an error carries, as Invoke-RestMethod and Invoke-WebRequest give it: PowerShell 7's
    /// HttpResponseException (an HttpResponseMessage in <c>Response</c>), Windows PowerShell's WebException (an
    /// HttpWebResponse). Read through public members only; the exception types themselves are not referenced,
    /// so the same code serves both editions.
    /// </summary>
    internal sealed class HttpFailure
    {
        // What a status code looks like in PowerShell 7's message when only the message crossed (a process, a session).
        private static readonly Regex s_statusInMessage = new Regex(@"status code does not indicate success: (\d{3})", RegexOptions.CultureInvariant);

        private HttpFailure(int statusCode, TimeSpan? retryAfter)
        {
            StatusCode = statusCode;
            RetryAfter = retryAfter;
        }

        /// <summary>The response's status code: 429, 503...</summary>
        public int StatusCode { get; }

        /// <summary>The wait the server asked for (Retry-After, seconds or a date); null when it asked none.</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>The response of the error or of an exception inside it; null when it carries none.</summary>
        public static HttpFailure? From(ErrorRecord error)
        {
            foreach (Exception exception in Chain(error.Exception))
            {
                HttpFailure? failure = FromResponse(ReadProperty(exception, "Response"));
                if (failure != null)
                {
                    return failure;
                }
            }

            // Only the message and the error's details crossed (a worker process, a remote session).
            Match match = s_statusInMessage.Match(error.Exception?.Message ?? string.Empty);
            string? action = error.ErrorDetails?.RecommendedAction;
            TimeSpan? retryAfter = action != null && action.StartsWith(RetryAfterMark.Prefix, StringComparison.Ordinal)
                ? Parse(action.Substring(RetryAfterMark.Prefix.Length))
                : null;
            return match.Success ? new HttpFailure(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), retryAfter) : null;
        }

        /// <summary>The exception and those inside it, outermost first (a method call's error wraps what the method threw).</summary>
        public static IEnumerable<Exception> Chain(Exception? exception)
        {
            for (int depth = 0; exception != null && depth < 16; depth++, exception = exception.InnerException)
            {
                yield return exception;
            }
        }

        private static HttpFailure? FromResponse(object? response)
        {
            switch (response)
            {
                case HttpResponseMessage message:
                    return new HttpFailure((int)message.StatusCode, FromHeader(message.Headers.RetryAfter));
                case HttpWebResponse web:
                    return new HttpFailure((int)web.StatusCode, Parse(web.Headers?["Retry-After"]));
                default:
                    return null;
            }
        }

        private static TimeSpan? FromHeader(System.Net.Http.Headers.RetryConditionHeaderValue? header)
        {
            if (header == null)
            {
                return null;
            }

            if (header.Delta.HasValue)
            {
                return Positive(header.Delta.Value);
            }

            return header.Date.HasValue ? Positive(header.Date.Value - DateTimeOffset.UtcNow) : null;
        }

        /// <summary>A Retry-After value: seconds, or an HTTP date.</summary>
        internal static TimeSpan? Parse(string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            if (double.TryParse(value!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && seconds < int.MaxValue)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date)
                ? Positive(date - DateTimeOffset.UtcNow)
                : null;
        }

        private static TimeSpan Positive(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait;

        // Through PowerShell's own adapter: the exception types differ by edition and are not referenced here.
        private static object? ReadProperty(Exception exception, string name)
        {
            try
            {
                return PSObject.AsPSObject(exception).Properties[name]?.Value;
            }
            catch (GetValueException)
            {
                return null;
            }
        }
    }
}

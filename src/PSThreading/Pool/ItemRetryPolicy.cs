using System;
using System.Globalization;
using System.Management.Automation;
using PSThreading.Core.Pool;

namespace PSThreading.Pool
{
    /// <summary>
    /// -MaxRetries, -RetryDelay, -MaxRetryDelay and -RetryOn: whether an item's failed attempt runs again and
    /// after how long. The wait before attempt k+1 is RetryDelay x 2^(k-1), randomized by up to 25% either way
    /// (so that items failing together do not come back together) and at most MaxRetryDelay; a response's
    /// Retry-After replaces it, and then pauses the whole call (see <see cref="ThreadPoolScheduler"/>).
    /// </summary>
    internal sealed class ItemRetryPolicy : IPoolRetryPolicy
    {
        private readonly string[]? _retryOn;
        private readonly Random _random = new Random();
        private readonly Action<object>? _writeRecord;

        /// <param name="writeRecord">Where the verbose line of each retry goes (the call's records); null: nowhere.</param>
        public ItemRetryPolicy(int maxRetries, double retryDelaySeconds, double maxRetryDelaySeconds, string[]? retryOn, Action<object>? writeRecord)
        {
            MaxRetries = maxRetries;
            RetryDelay = TimeSpan.FromSeconds(retryDelaySeconds);
            MaxRetryDelay = TimeSpan.FromSeconds(maxRetryDelaySeconds);
            _retryOn = retryOn == null || retryOn.Length == 0 ? null : retryOn;
            _writeRecord = writeRecord;
        }

        public int MaxRetries { get; }

        public TimeSpan RetryDelay { get; }

        public TimeSpan MaxRetryDelay { get; }

        public RetryDecision? Decide(PoolWorkItem item, object? error) => Decide(item.Attempt, item.Index, item.Input, error as ErrorRecord);

        /// <summary>The decision for attempt <paramref name="attempt"/> (from 1) of the item at <paramref name="index"/>; also what inline mode asks.</summary>
        public RetryDecision? Decide(int attempt, long index, object? input, ErrorRecord? error)
        {
            if (attempt > MaxRetries || error == null || !Matches(error))
            {
                return null;
            }

            HttpFailure? http = HttpFailure.From(error);
            RetryDecision decision = http?.RetryAfter is TimeSpan retryAfter
                ? new RetryDecision(retryAfter, pausesCall: true)
                : new RetryDecision(Backoff(attempt), pausesCall: false);
            WriteVerbose(string.Format(
                CultureInfo.InvariantCulture,
                "Item '{0}' (#{1}) failed attempt {2} of {3}: {4} Attempt {5} in {6:0.###} s{7}.",
                ItemText.Describe(input),
                index + 1,
                attempt,
                MaxRetries + 1,
                error.Exception?.Message,
                attempt + 1,
                decision.Delay.TotalSeconds,
                decision.PausesCall ? " (the server's Retry-After)" : string.Empty));
            return decision;
        }

        /// <summary>RetryDelay x 2^(attempt-1), times a random factor in [0.75, 1.25], at most MaxRetryDelay.</summary>
        internal TimeSpan Backoff(int attempt)
        {
            double factor;
            lock (_random)
            {
                factor = 0.75 + (_random.NextDouble() * 0.5);
            }

            double seconds = RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(attempt - 1, 62)) * factor;
            return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelay.TotalSeconds));
        }

        /// <summary>True when -RetryOn was not given, or one entry names the error's id, a type of its exception, or its HTTP status code.</summary>
        internal bool Matches(ErrorRecord error)
        {
            if (_retryOn == null)
            {
                return true;
            }

            string id = error.FullyQualifiedErrorId ?? string.Empty;
            int comma = id.IndexOf(',');
            string shortId = comma < 0 ? id : id.Substring(0, comma);
            HttpFailure? http = null;
            bool httpRead = false;
            foreach (string entry in _retryOn)
            {
                string wanted = entry.Trim();
                if (string.Equals(wanted, shortId, StringComparison.OrdinalIgnoreCase) || IsExceptionType(error, wanted))
                {
                    return true;
                }

                if (int.TryParse(wanted, NumberStyles.None, CultureInfo.InvariantCulture, out int status))
                {
                    if (!httpRead)
                    {
                        http = HttpFailure.From(error);
                        httpRead = true;
                    }

                    if (http != null && http.StatusCode == status)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool IsExceptionType(ErrorRecord error, string wanted)
        {
            foreach (Exception exception in HttpFailure.Chain(error.Exception))
            {
                // From a worker process or a remote session the exception comes back deserialized: its types by name.
                if (exception is RemoteException remote && remote.SerializedRemoteException != null && IsDeserializedType(remote.SerializedRemoteException, wanted))
                {
                    return true;
                }

                for (Type? type = exception.GetType(); type != null && type != typeof(object); type = type.BaseType)
                {
                    if (string.Equals(type.Name, wanted, StringComparison.OrdinalIgnoreCase) || string.Equals(type.FullName, wanted, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool IsDeserializedType(PSObject serialized, string wanted)
        {
            foreach (string typeName in serialized.TypeNames)
            {
                string name = typeName.StartsWith("Deserialized.", StringComparison.Ordinal) ? typeName.Substring("Deserialized.".Length) : typeName;
                int dot = name.LastIndexOf('.');
                if (string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase) || string.Equals(name.Substring(dot + 1), wanted, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private void WriteVerbose(string message)
        {
            _writeRecord?.Invoke(new VerboseRecord(message));
        }
    }
}

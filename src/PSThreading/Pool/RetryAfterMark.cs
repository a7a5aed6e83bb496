namespace PSThreading.Pool
{
    /// <summary>
    /// A server's Retry-After across a process or a session: the HTTP response an error carries does not survive
    /// serialization, so the script around an item in a worker process or on a node copies the header's text into
    /// the error's ErrorDetails.RecommendedAction (which does), and <see cref="HttpFailure"/> reads it back there.
    /// </summary>
    internal static class RetryAfterMark
    {
        /// <summary>What starts the RecommendedAction; the header's value (seconds or an HTTP date) follows.</summary>
        internal const string Prefix = "PSThreading Retry-After: ";

        /// <summary>
        /// PowerShell run in a catch block, with $_ the item's error: marks it when the response it carries says
        /// Retry-After (PowerShell 7's HttpResponseMessage, Windows PowerShell's WebException response). Plain
        /// PowerShell only: a node need not have this module.
        /// </summary>
        internal const string Script = @"
for ($private:__raException = $_.Exception; $null -ne $__raException; $__raException = $__raException.InnerException) {
    $private:__raResponse = $__raException.PSObject.Properties['Response']
    if ($null -eq $__raResponse -or $null -eq $__raResponse.Value) { continue }
    $private:__raValue = $__raResponse.Value.Headers.RetryAfter
    if ($null -eq $__raValue) { try { $__raValue = $__raResponse.Value.Headers['Retry-After'] } catch { } }
    if ($__raValue) {
        if ($null -eq $_.ErrorDetails) { $_.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($_.Exception.Message) }
        $_.ErrorDetails.RecommendedAction = '" + Prefix + @"' + $__raValue
    }
    break
}
";
    }
}

namespace PSThreading.Processes
{
    /// <summary>The error ids of -Isolation Process (kept here, beside the feature, rather than in the shared list).</summary>
    internal static class ProcessErrorIds
    {
        public const string NotAcrossProcesses = "NotAcrossProcesses";
        public const string WorkerProcessExited = "WorkerProcessExited";
        public const string WorkerProcessFailed = "WorkerProcessFailed";
    }
}

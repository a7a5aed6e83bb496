namespace PSThreading.Core.Threads
{
    /// <summary>Where a worker's code runs: a runspace of this process, or a child process of its own.</summary>
    public enum ThreadIsolation
    {
        /// <summary>A runspace in this process: cheap, shares the process's state (statics, environment, modules' logins).</summary>
        Runspace = 0,

        /// <summary>A pwsh child process: nothing is shared, a hang or crash stays in the child.</summary>
        Process = 1,
    }
}

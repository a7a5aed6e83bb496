namespace PSThreading.Core.Threads
{
    /// <summary>
    /// The work a <see cref="WorkerThread"/> runs. The core knows nothing of what the work is;
    /// the module supplies a body that runs PowerShell.
    /// </summary>
    internal interface IThreadBody
    {
        /// <summary>
        /// Runs on the worker's own thread. Returning ends the thread as Completed; throwing
        /// <see cref="System.OperationCanceledException"/> ends it as Stopped; any other exception as Failed.
        /// </summary>
        void Run(WorkerThread thread);

        /// <summary>Asks the running body to stop. Called from another thread; must not block.</summary>
        void RequestStop();

        /// <summary>
        /// Runs on the worker's own thread after it is marked ended, so joins have already returned:
        /// the place for tidying that must not delay them. Exceptions are swallowed.
        /// </summary>
        void AfterEnd();
    }
}

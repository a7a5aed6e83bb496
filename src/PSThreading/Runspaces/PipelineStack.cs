using PSThreading.Engine;
using PSThreading.Values;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// The stack every thread that runs PowerShell for this module gets. PowerShell runs its own pipeline threads
    /// with 10 MB; a thread left to the .NET default gets far less on some platforms (1 MB on Windows, 512 KB on
    /// macOS), and recursion that works at the prompt would then fail in a worker with "call depth overflow".
    /// </summary>
    internal static class PipelineStack
    {
        public const int Size = 10 * 1024 * 1024;
    }
}

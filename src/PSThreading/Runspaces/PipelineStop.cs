using System;
using System.Management.Automation;
using System.Threading;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// Stops a worker's invocation without holding up the process. PowerShell's own BeginStop waits for the
    /// pipeline to end on a new foreground thread: a pipeline that never ends (inside a long .NET call) then keeps
    /// pwsh from exiting. The same synchronous stop, on a background thread, waits as long and holds nothing.
    /// </summary>
    internal static class PipelineStop
    {
        public static void Begin(PowerShell invocation)
        {
            var thread = new Thread(() => StopQuietly(invocation))
            {
                IsBackground = true,
                Name = "PSThreading stop",
            };
            thread.Start();
        }

        private static void StopQuietly(PowerShell invocation)
        {
            try
            {
                invocation.Stop();
            }
            catch (Exception)
            {
                // Ended or disposed meanwhile: nothing left to stop. Nothing may escape this thread.
            }
        }
    }
}

using System.Management.Automation;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// A stop that may come from another thread at any moment of one invocation's life: before it starts (it then
    /// never starts), while it runs (its pipeline is stopped without blocking the stopping thread), or after.
    /// </summary>
    internal sealed class InvocationStop
    {
        private readonly object _sync = new object();
        private PowerShell? _running;
        private bool _requested;

        public bool WasRequested
        {
            get
            {
                lock (_sync)
                {
                    return _requested;
                }
            }
        }

        /// <summary>Marks <paramref name="ps"/> as the one to stop; false, and nothing marked, when a stop came first.</summary>
        public bool TryBegin(PowerShell ps)
        {
            lock (_sync)
            {
                if (_requested)
                {
                    return false;
                }

                _running = ps;
                return true;
            }
        }

        public void End()
        {
            lock (_sync)
            {
                _running = null;
            }
        }

        /// <summary>Not blocking: Stop() would hold the stopping thread until the pipeline unwinds.</summary>
        public void Request()
        {
            PowerShell? running;
            lock (_sync)
            {
                _requested = true;
                running = _running;
            }

            if (running != null)
            {
                PipelineStop.Begin(running);
            }
        }
    }
}

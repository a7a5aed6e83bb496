using System;
using System.Threading;
using PSThreading.Pool;

namespace PSThreading.Lifecycle
{
    /// <summary>
    /// Hears Ctrl+C while the exit waits for non-daemon threads. The console host's own break handler only stops
    /// the running pipeline, and while the console's runspace is closing there is none: the key press would be
    /// swallowed. .NET calls every Console.CancelKeyPress handler, so this one hears it alongside the host's.
    /// </summary>
    internal sealed class ExitCancelKey : IDisposable
    {
        // Never disposed: a key press may still be on its way to the handler after Dispose.
        private readonly ManualResetEvent _pressed = new ManualResetEvent(false);
        private bool _listening;

        private ExitCancelKey()
        {
        }

        /// <summary>Signalled once Ctrl+C has been pressed.</summary>
        public WaitHandle PressedHandle => _pressed;

        public bool IsPressed => _pressed.WaitOne(0);

        public static ExitCancelKey Listen()
        {
            var key = new ExitCancelKey();
            try
            {
                Console.CancelKeyPress += key.OnCancelKeyPress;
                key._listening = true;
            }
            catch (Exception)
            {
                // No console to hear (a platform without signals): the wait then ends only when the threads do.
            }

            return key;
        }

        public void Dispose()
        {
            if (_listening)
            {
                _listening = false;
                Console.CancelKeyPress -= OnCancelKeyPress;
            }
        }

        private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            // Ctrl+C here means "stop the threads", not "kill the process": the exit then goes on by itself.
            e.Cancel = true;
            _pressed.Set();
        }
    }
}

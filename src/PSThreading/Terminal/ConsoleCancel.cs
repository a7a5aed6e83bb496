using System;

namespace PSThreading.Terminal
{
    /// <summary>
    /// Hears Ctrl+C at the console for <see cref="Core.MainThreadInterrupt"/>, which listens only while a
    /// main-thread wait blocks. It never sets <see cref="ConsoleCancelEventArgs.Cancel"/>: pwsh's console host
    /// handles the same Ctrl+C (through this event on Unix, a console control handler of its own on Windows,
    /// which runs only when this one leaves Cancel alone) to stop the running pipeline, and must go on doing so.
    /// </summary>
    internal sealed class ConsoleCancel : IDisposable
    {
        private readonly Action _interrupt;

        private ConsoleCancel(Action interrupt)
        {
            _interrupt = interrupt;
        }

        /// <summary>Calls <paramref name="interrupt"/> on every Ctrl+C until the result is disposed.</summary>
        public static IDisposable Listen(Action interrupt)
        {
            var listener = new ConsoleCancel(interrupt);
            Console.CancelKeyPress += listener.OnCancelKeyPress;
            return listener;
        }

        public void Dispose() => Console.CancelKeyPress -= OnCancelKeyPress;

        private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            if (e.SpecialKey == ConsoleSpecialKey.ControlC)
            {
                _interrupt();
            }
        }
    }
}

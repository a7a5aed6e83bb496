using System;
using System.Threading;

namespace PSThreading.Core.Tests
{
    /// <summary>
    /// Runs a function on its own thread so a test can block on it with a bound (xunit forbids blocking on
    /// tasks). A failure inside is rethrown by <see cref="Result"/>.
    /// </summary>
    internal sealed class BackgroundCall<T>
    {
        private readonly Thread _thread;
        private T _result = default!;
        private Exception? _error;

        public BackgroundCall(Func<T> function)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    _result = function();
                }
                catch (Exception ex)
                {
                    _error = ex;
                }
            })
            {
                IsBackground = true,
            };
            _thread.Start();
        }

        public bool Join(TimeSpan timeout) => _thread.Join(timeout);

        public bool Join(int milliseconds) => _thread.Join(milliseconds);

        public T Result
        {
            get
            {
                if (_thread.IsAlive)
                {
                    throw new InvalidOperationException("The call has not ended.");
                }

                if (_error != null)
                {
                    throw new InvalidOperationException("The call failed.", _error);
                }

                return _result;
            }
        }
    }

    internal static class BackgroundCall
    {
        public static BackgroundCall<T> Start<T>(Func<T> function) => new BackgroundCall<T>(function);

        public static BackgroundCall<bool> Start(Action action) => new BackgroundCall<bool>(() =>
        {
            action();
            return true;
        });
    }
}

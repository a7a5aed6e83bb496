using System;
using System.Collections.Generic;
using System.Threading;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>Plain OS threads for tests, each joined with a bound so that no test can hang.</summary>
    internal sealed class TestThreads
    {
        public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

        private readonly List<Thread> _threads = new List<Thread>();
        private readonly List<Exception> _errors = new List<Exception>();

        public IReadOnlyList<Exception> Errors
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToArray();
                }
            }
        }

        /// <summary>Starts <paramref name="body"/> on a new background thread; an exception it throws is kept in <see cref="Errors"/>.</summary>
        public Thread Start(Action body)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    body();
                }
                catch (Exception ex)
                {
                    lock (_errors)
                    {
                        _errors.Add(ex);
                    }
                }
            })
            {
                IsBackground = true,
            };
            _threads.Add(thread);
            thread.Start();
            return thread;
        }

        public void StartMany(int count, Action<int> body)
        {
            for (int i = 0; i < count; i++)
            {
                int index = i;
                Start(() => body(index));
            }
        }

        /// <summary>Joins every thread, failing the test if one is still running after <see cref="Patience"/>.</summary>
        public void JoinAll()
        {
            foreach (Thread thread in _threads)
            {
                Assert.True(thread.Join(Patience), "a test thread did not finish in time");
            }
        }

        /// <summary>Joins every thread and fails the test with the first exception one of them threw.</summary>
        public void JoinAllAndRethrow()
        {
            JoinAll();
            if (Errors.Count > 0)
            {
                throw new AggregateException(Errors);
            }
        }

        /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
        public static void WaitUntil(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
                Thread.Sleep(5);
            }
        }
    }
}

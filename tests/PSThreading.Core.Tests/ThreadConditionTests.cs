using System;
using System.Threading;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>CPython's lock_tests.ConditionTests, ported to <see cref="ThreadCondition"/>.</summary>
    [Collection(LockCollection.Name)]
    public sealed class ThreadConditionTests
    {
        [Fact]
        public void NotifyWakesOneNotifyNWakesNNotifyAllWakesAll()
        {
            var condition = new ThreadCondition();
            int woken = 0;
            var threads = new TestThreads();
            threads.StartMany(5, _ =>
            {
                Assert.True(condition.Lock.Acquire());
                try
                {
                    Assert.True(condition.Wait(20));
                    Interlocked.Increment(ref woken);
                }
                finally
                {
                    condition.Lock.Release();
                }
            });
            TestThreads.WaitUntil(() => condition.Waiters.Count == 5, "five threads wait");
            NotifyUnderLock(condition, c => c.Notify());
            TestThreads.WaitUntil(() => Volatile.Read(ref woken) == 1, "one woke");
            Thread.Sleep(100);
            Assert.Equal(1, Volatile.Read(ref woken));
            NotifyUnderLock(condition, c => c.Notify(3));
            TestThreads.WaitUntil(() => Volatile.Read(ref woken) == 4, "three more woke");
            Thread.Sleep(100);
            Assert.Equal(4, Volatile.Read(ref woken));
            NotifyUnderLock(condition, c => c.NotifyAll());
            threads.JoinAllAndRethrow();
            Assert.Equal(5, woken);
        }

        [Fact]
        public void WaitReleasesTheLockAndTakesItBack()
        {
            var condition = new ThreadCondition();
            Assert.True(condition.Lock.Acquire());
            Assert.True(condition.Lock.Acquire());
            bool? freeWhileWaiting = null;
            var threads = new TestThreads();
            threads.Start(() =>
            {
                TestThreads.WaitUntil(() => condition.Waiters.Count == 1, "the main thread waits");
                freeWhileWaiting = condition.Lock.Acquire(5);
                condition.Notify();
                condition.Lock.Release();
            });
            Assert.True(condition.Wait(20));
            threads.JoinAllAndRethrow();
            Assert.True(freeWhileWaiting);
            Assert.Equal(2, condition.Lock.Count);
            condition.Lock.Release();
            condition.Lock.Release();
            Assert.False(condition.Lock.IsLocked);
        }

        [Fact]
        public void WaitForWithAndWithoutTimeout()
        {
            var condition = new ThreadCondition();
            int state = 0;
            object? result = null;
            var threads = new TestThreads();
            threads.Start(() =>
            {
                condition.Lock.Acquire();
                try
                {
                    result = condition.WaitFor(() => Volatile.Read(ref state) == 3);
                }
                finally
                {
                    condition.Lock.Release();
                }
            });
            for (int i = 0; i < 3; i++)
            {
                TestThreads.WaitUntil(() => condition.Waiters.Count == 1, "the thread waits");
                NotifyUnderLock(condition, c =>
                {
                    Interlocked.Increment(ref state);
                    c.NotifyAll();
                });
            }

            threads.JoinAllAndRethrow();
            Assert.Equal(true, result);

            condition.Lock.Acquire();
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(false, condition.WaitFor(() => false, 0.3));
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.25, 10);
            condition.Lock.Release();
        }

        [Fact]
        public void WaitingOrNotifyingWithoutTheLockIsLockNotHeld()
        {
            var condition = new ThreadCondition(new ThreadLock());
            Assert.Throws<LockNotHeldException>(() => condition.Wait(0.1));
            Assert.Throws<LockNotHeldException>(() => condition.Notify());
            Assert.Throws<LockNotHeldException>(() => condition.NotifyAll());
            Assert.False(condition.Lock.IsLocked);
        }

        private static void NotifyUnderLock(ThreadCondition condition, Action<ThreadCondition> notify)
        {
            condition.Lock.Acquire();
            try
            {
                notify(condition);
            }
            finally
            {
                condition.Lock.Release();
            }
        }
    }
}

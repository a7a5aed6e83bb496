using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>CPython's test_queue basics, ported to <see cref="ThreadQueue"/>.</summary>
    [Collection(LockCollection.Name)]
    public sealed class ThreadQueueTests
    {
        [Fact]
        public void FirstInFirstOutAndTheBoundHolds()
        {
            var queue = new ThreadQueue(3);
            for (int i = 0; i < 3; i++)
            {
                Assert.True(queue.Add(i));
            }

            Assert.True(queue.IsFull);
            Assert.False(queue.Add(9, 0.1));
            Assert.Equal(new object?[] { 0, 1, 2 }, new[] { queue.Take(), queue.Take(), queue.Take() });
            Assert.True(queue.IsEmpty);
            Assert.False(queue.TryTake(out _));
            Assert.Throws<QueueEmptyException>(() => queue.Take(0.1));
        }

        [Fact]
        public void ProducersAndConsumersPassEveryItemExactlyOnce()
        {
            var queue = new ThreadQueue(10);
            var taken = new ConcurrentBag<int>();
            var threads = new TestThreads();
            threads.StartMany(4, _ =>
            {
                while (true)
                {
                    try
                    {
                        taken.Add((int)queue.Take(20)!);
                    }
                    catch (QueueCompletedException)
                    {
                        return;
                    }
                }
            });
            for (int i = 0; i < 1000; i++)
            {
                Assert.True(queue.Add(i, 20));
            }

            queue.Complete();
            threads.JoinAllAndRethrow();
            Assert.Equal(Enumerable.Range(0, 1000), taken.OrderBy(i => i));
        }

        [Fact]
        public void TaskDoneAndJoin()
        {
            var queue = new ThreadQueue();
            for (int i = 0; i < 5; i++)
            {
                queue.Add(i);
            }

            Assert.False(queue.Join(0.1));
            var threads = new TestThreads();
            threads.Start(() =>
            {
                for (int i = 0; i < 5; i++)
                {
                    queue.Take(20);
                    queue.TaskDone();
                }
            });
            Assert.True(queue.Join(20));
            threads.JoinAllAndRethrow();
            Assert.Throws<QueueTaskDoneTooOftenException>(() => queue.TaskDone());
        }

        [Fact]
        public void CompleteRefusesAddsAndLetsTakersFinish()
        {
            var queue = new ThreadQueue();
            queue.Add("last");
            var threads = new TestThreads();
            threads.Start(() =>
            {
                Assert.Equal("last", queue.Take(20));
                Assert.Throws<QueueCompletedException>(() => queue.Take(20));
            });
            queue.Complete();
            threads.JoinAllAndRethrow();
            Assert.Throws<QueueCompletedException>(() => queue.Add(1));
        }

        [Fact]
        public void AWaitingAddGetsRoomWhenAnItemIsTaken()
        {
            var queue = new ThreadQueue(1);
            queue.Add(1);
            var threads = new TestThreads();
            threads.Start(() => Assert.True(queue.Add(2, 20)));
            TestThreads.WaitUntil(() => queue.Waiters.Count == 1, "the adder waits");
            Assert.Equal(1, queue.Take());
            threads.JoinAllAndRethrow();
            Assert.Equal(2, queue.Take());
        }

        [Fact]
        public void ACancelledTakeEnds()
        {
            var queue = new ThreadQueue();
            using var cancel = new CancellationTokenSource();
            var threads = new TestThreads();
            threads.Start(() => Assert.Throws<OperationCanceledException>(() => queue.Take(null, cancel.Token)));
            TestThreads.WaitUntil(() => queue.Waiters.Count == 1, "the taker waits");
            cancel.Cancel();
            threads.JoinAllAndRethrow();
        }
    }
}

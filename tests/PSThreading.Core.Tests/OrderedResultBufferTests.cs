using System;
using System.Collections.Generic;
using PSThreading.Core.Pool;
using Xunit;

namespace PSThreading.Core.Tests
{
    public class OrderedResultBufferTests
    {
        [Fact]
        public void ResultsLeaveInInputOrderWhateverOrderTheyArrive()
        {
            var buffer = new OrderedResultBuffer<string>();
            var left = new List<string>();
            foreach (int index in new[] { 2, 0, 3, 1, 5, 4 })
            {
                buffer.Add(index, "r" + index);
                while (buffer.TryTakeNext(out string result))
                {
                    left.Add(result);
                }
            }

            Assert.Equal(new[] { "r0", "r1", "r2", "r3", "r4", "r5" }, left);
            Assert.Equal(0, buffer.WaitingCount);
        }

        [Fact]
        public void HoldsOnlyResultsWaitingForAnEarlierOne()
        {
            var buffer = new OrderedResultBuffer<int>();
            buffer.Add(1, 1);
            buffer.Add(2, 2);
            Assert.False(buffer.TryTakeNext(out _));
            Assert.Equal(2, buffer.WaitingCount);

            buffer.Add(0, 0);
            Assert.True(buffer.TryTakeNext(out int first));
            Assert.Equal(0, first);
            Assert.Equal(2, buffer.WaitingCount);
            Assert.True(buffer.TryTakeNext(out _));
            Assert.True(buffer.TryTakeNext(out _));
            Assert.Equal(0, buffer.WaitingCount);
            Assert.Equal(3, buffer.NextIndex);
        }

        [Fact]
        public void InOrderResultsAreNeverHeld()
        {
            var buffer = new OrderedResultBuffer<int>();
            for (int i = 0; i < 100_000; i++)
            {
                buffer.Add(i, i);
                Assert.True(buffer.TryTakeNext(out int result));
                Assert.Equal(i, result);
                Assert.Equal(0, buffer.WaitingCount);
            }
        }

        [Fact]
        public void APositionCannotBeAddedTwice()
        {
            var buffer = new OrderedResultBuffer<int>();
            buffer.Add(0, 0);
            Assert.Throws<ArgumentException>(() => buffer.Add(0, 0));
            Assert.True(buffer.TryTakeNext(out _));
            Assert.Throws<ArgumentException>(() => buffer.Add(0, 0));
        }

        [Fact]
        public void AResultArrivingAfterTakeAllPassedItsPositionIsDroppedNotAnError()
        {
            var buffer = new OrderedResultBuffer<int>();
            buffer.Add(1, 1);
            buffer.Add(3, 3);
            Assert.Equal(new[] { 1, 3 }, buffer.TakeAll());

            // Positions 0 and 2 were passed over while still running (a call timing out): they may end late.
            Assert.False(buffer.Add(2, 2));
            Assert.False(buffer.Add(0, 0));
            Assert.Equal(0, buffer.WaitingCount);
            Assert.Throws<ArgumentException>(() => buffer.Add(1, 1));
            Assert.Throws<ArgumentException>(() => buffer.Add(0, 0));
            Assert.True(buffer.Add(4, 4));
            Assert.True(buffer.TryTakeNext(out int next));
            Assert.Equal(4, next);
        }
    }
}

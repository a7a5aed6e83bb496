using System;
using System.Threading;
using PSThreading.Core.Threads;
using Xunit;

namespace PSThreading.Core.Tests
{
    public class ParkedThreadsTests
    {
        [Fact]
        public void LettingTheProcessExitWithoutEndedWorkLeavesTheNextWorkForeground()
        {
            var threads = new ParkedThreads("parked-test", 0, maxIdle: 1, idleLifetime: TimeSpan.FromSeconds(30));
            using var firstEnded = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            using var secondRunning = new ManualResetEventSlim();
            Action first = () => firstEnded.Set();
            bool? backgroundWhileRunning = null;
            bool? backgroundAfterLetGo = null;
            Action second = () =>
            {
                secondRunning.Set();
                release.Wait(Bounded.Wait);
                backgroundAfterLetGo = Thread.CurrentThread.IsBackground;
            };

            ParkedThreads.ParkedThread thread = threads.Take();
            thread.Run(first, background: false);
            Assert.True(firstEnded.Wait(Bounded.Wait));
            Assert.True(SpinWait.SpinUntil(() => threads.TryPeekIdle() == thread, Bounded.Wait), "the thread did not park");

            // The same OS thread now runs a second, foreground work.
            ParkedThreads.ParkedThread again = threads.Take();
            Assert.Same(thread, again);
            again.Run(() => { backgroundWhileRunning = Thread.CurrentThread.IsBackground; second(); }, background: false);
            Assert.True(secondRunning.Wait(Bounded.Wait));

            // A late call for the first work must not change the thread that serves the second.
            thread.LetProcessExitWithout(first);
            Assert.False(backgroundWhileRunning);
            release.Set();
            Assert.True(SpinWait.SpinUntil(() => backgroundAfterLetGo.HasValue, Bounded.Wait));
            Assert.False(backgroundAfterLetGo);
            threads.RetireIdle();
        }

        [Fact]
        public void LettingTheProcessExitWithoutRunningWorkMakesItsThreadBackground()
        {
            var threads = new ParkedThreads("parked-test", 0, maxIdle: 1, idleLifetime: TimeSpan.FromSeconds(30));
            using var running = new ManualResetEventSlim();
            using var checkedIn = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            bool? background = null;
            Action work = () =>
            {
                running.Set();
                checkedIn.Wait(Bounded.Wait);
                background = Thread.CurrentThread.IsBackground;
                release.Wait(Bounded.Wait);
            };

            ParkedThreads.ParkedThread thread = threads.Take();
            thread.Run(work, background: false);
            Assert.True(running.Wait(Bounded.Wait));
            thread.LetProcessExitWithout(work);
            checkedIn.Set();
            Assert.True(SpinWait.SpinUntil(() => background.HasValue, Bounded.Wait));
            Assert.True(background);
            release.Set();
            threads.RetireIdle();
        }

        [Fact]
        public void AThreadWhoseIdIsHeldIsEndedNotHandedOut()
        {
            var threads = new ParkedThreads("parked-test", 0, maxIdle: 2, idleLifetime: TimeSpan.FromSeconds(30));
            using var ended = new ManualResetEventSlim();
            ParkedThreads.ParkedThread first = threads.Take();
            int heldId = first.ManagedThreadId;
            first.Run(() => ended.Set(), background: true);
            Assert.True(ended.Wait(Bounded.Wait));
            Assert.True(SpinWait.SpinUntil(() => threads.TryPeekIdle() == first, Bounded.Wait), "the thread did not park");

            ParkedThreads.ParkedThread next = threads.Take(id => id != heldId);
            Assert.NotSame(first, next);
            Assert.True(SpinWait.SpinUntil(() => threads.LiveCount == 0, Bounded.Wait), "the passed-over thread did not end");
            next.Run(() => { }, background: true);
            threads.RetireIdle();
        }
    }
}

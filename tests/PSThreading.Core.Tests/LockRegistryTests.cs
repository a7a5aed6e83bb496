using System;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    [Collection(LockCollection.Name)]
    public sealed class LockRegistryTests
    {
        [Fact]
        public void ANameGivesTheSameLockEverywhereWhateverItsCase()
        {
            string name = "db-" + Guid.NewGuid().ToString("N");
            ThreadLock first = LockRegistry.GetOrCreateLock(name, reentrant: false);
            ThreadLock? fromThread = null;
            var threads = new TestThreads();
            threads.Start(() => fromThread = LockRegistry.GetOrCreateLock(name.ToUpperInvariant(), reentrant: false));
            threads.JoinAllAndRethrow();
            Assert.Same(first, fromThread);
            Assert.Same(first, LockRegistry.Find(name));
            Assert.True(first.IsNamed);
            Assert.Equal(name, first.Name);
        }

        [Fact]
        public void ANameAskedAgainAsAnotherKindIsAnError()
        {
            string name = "kind-" + Guid.NewGuid().ToString("N");
            LockRegistry.GetOrCreateLock(name, reentrant: false);
            var error = Assert.Throws<LockNameConflictException>(() => LockRegistry.GetOrCreateLock(name, reentrant: true));
            Assert.Equal("LockNameConflict", error.ErrorId);
            Assert.Contains(name, error.Message);
            Assert.Throws<LockNameConflictException>(() => LockRegistry.GetOrCreateSemaphore(name, 2));
        }

        [Fact]
        public void ANamedSemaphoreAskedWithAnotherCountIsAnError()
        {
            string name = "sem-" + Guid.NewGuid().ToString("N");
            ThreadSemaphore semaphore = LockRegistry.GetOrCreateSemaphore(name, 2);
            Assert.Same(semaphore, LockRegistry.GetOrCreateSemaphore(name, 2));
            Assert.Throws<LockNameConflictException>(() => LockRegistry.GetOrCreateSemaphore(name, 3));
            Assert.Throws<LockNameConflictException>(() => LockRegistry.GetOrCreateLock(name, reentrant: false));
        }

        [Fact]
        public void AnUnknownNameIsNotFound()
        {
            Assert.Null(LockRegistry.Find("missing-" + Guid.NewGuid().ToString("N")));
        }
    }
}

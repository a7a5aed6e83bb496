using System;
using System.Text.RegularExpressions;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    [Collection(LockCollection.Name)]
    public sealed class MachineMutexTests
    {
        [Theory]
        [InlineData("deploy")]
        [InlineData(@"a/b\c:d*e?f")]
        [InlineData("ünïcode naïve")]
        public void AnyLockNameGivesALegalMutexName(string lockName)
        {
            string mutexName = MachineMutex.MutexNameFor(lockName);
            Assert.Matches(new Regex(@"^Global\\PSThreading-[a-z0-9._-]+-[0-9a-f]{32}$"), mutexName);
        }

        [Fact]
        public void ALongNameGivesAMutexNameOfBoundedLength()
        {
            Assert.True(MachineMutex.MutexNameFor(new string('x', 5000)).Length <= 100);
        }

        [Fact]
        public void CaseDoesNotMatterButNamesThatReadAlikeStayApart()
        {
            Assert.Equal(MachineMutex.MutexNameFor("Deploy/Prod"), MachineMutex.MutexNameFor("deploy/prod"));
            Assert.NotEqual(MachineMutex.MutexNameFor("deploy/prod"), MachineMutex.MutexNameFor("deploy_prod"));
        }

        [Fact]
        public void AMachineLockIsTakenOnceInTheProcessWhateverTheObjects()
        {
            string name = "machine-" + Guid.NewGuid().ToString("N");
            var first = new ThreadLock(name, scope: LockScope.Machine);
            var second = new ThreadLock(name, scope: LockScope.Machine);
            Assert.True(first.Acquire(0));
            try
            {
                // Both share one mutex, which its own thread could take again: the second must still wait.
                Assert.False(second.Acquire(0.05));
            }
            finally
            {
                first.Release();
            }

            Assert.True(second.Acquire(0));
            second.Release();
        }
    }
}

using System;
using System.IO;
using System.Threading;
using PSThreading.Core.Sync;
using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>The machine-lock folder's checks and the lock file's exclusion, on Linux and macOS.</summary>
    public sealed class MachineLockFileTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "psthreading-lockfile-" + Guid.NewGuid().ToString("N"));

        public MachineLockFileTests() => Directory.CreateDirectory(_root);

        public void Dispose() => Directory.Delete(_root, recursive: true);

        [Fact]
        public void AMissingFolderIsMadeForTheOwnerOnly()
        {
            if (OperatingSystem.IsWindows()) return;
            string folder = Path.Combine(_root, "locks");
            MachineLockFolder.EnsureSafe(folder);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        }

        [Fact]
        public void AFolderOthersMayOnlyReadIsNarrowedToTheOwner()
        {
            if (OperatingSystem.IsWindows()) return;
            string folder = Path.Combine(_root, "locks");
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
            MachineLockFolder.EnsureSafe(folder);
            Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(folder));
        }

        [Theory]
        [InlineData("777")]
        [InlineData("720")]
        [InlineData("702")]
        public void AFolderOthersMayWriteIsRefused(string mode)
        {
            if (OperatingSystem.IsWindows()) return;
            string folder = Path.Combine(_root, "locks");
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32(mode, 8));
            var refused = Assert.Throws<MachineLockFolderUnsafeException>(() => MachineLockFolder.EnsureSafe(folder));
            Assert.Equal("MachineLockFolderUnsafe", refused.ErrorId);
            Assert.Equal(folder, refused.Path);
            Assert.Contains("other users may write to it", refused.Message);
        }

        [Fact]
        public void AFolderThatIsALinkIsRefused()
        {
            if (OperatingSystem.IsWindows()) return;
            string real = Path.Combine(_root, "real");
            Directory.CreateDirectory(real);
            File.SetUnixFileMode(real, (UnixFileMode)Convert.ToInt32("700", 8));
            string link = Path.Combine(_root, "locks");
            Directory.CreateSymbolicLink(link, real);
            var refused = Assert.Throws<MachineLockFolderUnsafeException>(() => MachineLockFolder.EnsureSafe(link));
            Assert.Contains("link", refused.Message);
        }

        [Fact]
        public void ALockFileThatIsALinkIsNeverOpened()
        {
            if (OperatingSystem.IsWindows()) return;
            string target = Path.Combine(_root, "target");
            File.WriteAllText(target, "precious");
            string path = Path.Combine(_root, "lock.holder");
            File.CreateSymbolicLink(path, target);
            Assert.Throws<MachineLockFolderUnsafeException>(() => MachineLockFile.TryLock(path));
            Assert.Equal("precious", File.ReadAllText(target));
        }

        [Fact]
        public void AnOversizedRecordIsReadOnlyUpToItsBound()
        {
            if (OperatingSystem.IsWindows()) return;
            string path = Path.Combine(_root, "lock.holder");
            File.WriteAllBytes(path, new byte[4 * 1024 * 1024]);
            MachineLockFile file = MachineLockFile.TryLock(path)!;
            Assert.Equal(MachineLockFile.MaxRecordSize, file.Read().Length);
            Assert.Null(MachineLockHolder.Parse(file.Read()));
            file.RemoveAndUnlock();
            Assert.False(File.Exists(path));
        }

        [Fact]
        public void AFileRemovedAtReleaseIsNeverHeldTwice()
        {
            if (OperatingSystem.IsWindows()) return;
            // flock excludes open files, not processes: threads with their own opens race as processes do. A taker
            // that opened the file just before its holder removed it must not hold it beside one that made a new one.
            string path = Path.Combine(_root, "lock.holder");
            int inside = 0;
            int overlaps = 0;
            int taken = 0;
            var threads = new Thread[4];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = new Thread(() =>
                {
                    for (int i = 0; i < 500; i++)
                    {
                        MachineLockFile? file;
                        while ((file = MachineLockFile.TryLock(path)) == null)
                        {
                            Thread.Yield();
                        }

                        if (Interlocked.Increment(ref inside) != 1)
                        {
                            Interlocked.Increment(ref overlaps);
                        }

                        Thread.SpinWait(200);
                        Interlocked.Decrement(ref inside);
                        Interlocked.Increment(ref taken);
                        file.RemoveAndUnlock();
                    }
                });
                threads[t].Start();
            }

            foreach (Thread thread in threads)
            {
                Assert.True(thread.Join(TimeSpan.FromSeconds(120)));
            }

            Assert.Equal(2000, taken);
            Assert.Equal(0, overlaps);
            Assert.False(File.Exists(path));
        }
    }
}

using System;
using System.Runtime.InteropServices;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// The few libc calls that machine locks need on Linux and macOS and that netstandard2.0 does not offer:
    /// open without following links, flock, and the owner, type and mode of an open file. Flag values and the
    /// layout of the stat record differ by system (and for open's flags, on Linux, by architecture).
    /// </summary>
    internal static class UnixNative
    {
        public const int ENOENT = 2;
        public const int EINTR = 4;
        public const int EMFILE = 24;
        public const int ENFILE = 23;

        public const uint S_IFMT = 0xF000;
        public const uint S_IFREG = 0x8000;
        public const uint S_IFDIR = 0x4000;

        private const int LOCK_EX = 2;
        private const int LOCK_NB = 4;
        private const int LOCK_UN = 8;
        private const int O_RDONLY = 0;
        private const int O_RDWR = 2;

        private static readonly bool s_isMac = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

        // Linux's open flags are those of asm-generic, except on arm, arm64 and powerpc.
        private static readonly bool s_armFlags = RuntimeInformation.ProcessArchitecture.ToString().StartsWith("Arm", StringComparison.Ordinal)
            || RuntimeInformation.ProcessArchitecture.ToString().StartsWith("Ppc", StringComparison.Ordinal);

        private static int O_CREAT => s_isMac ? 0x200 : 0x40;

        private static int O_NOFOLLOW => s_isMac ? 0x100 : s_armFlags ? 0x8000 : 0x20000;

        private static int O_DIRECTORY => s_isMac ? 0x100000 : s_armFlags ? 0x4000 : 0x10000;

        private static int O_CLOEXEC => s_isMac ? 0x1000000 : 0x80000;

        private static int O_NONBLOCK => s_isMac ? 0x4 : 0x800;

        private static int EWOULDBLOCK => s_isMac ? 35 : 11;

        /// <summary>What <see cref="FStat"/> tells of an open file.</summary>
        public readonly struct FileStatus
        {
            public FileStatus(uint mode, uint uid, uint links, long size)
            {
                Mode = mode;
                Uid = uid;
                Links = links;
                Size = size;
            }

            public uint Mode { get; }

            public uint Uid { get; }

            /// <summary>0 once the file is unlinked: a lock taken on it is a lock on nothing.</summary>
            public uint Links { get; }

            public long Size { get; }

            public bool IsRegularFile => (Mode & S_IFMT) == S_IFREG;

            public bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;

            /// <summary>The permission bits, as chmod shows them.</summary>
            public uint Permissions => Mode & 0xFFF;
        }

        public static uint EffectiveUserId => geteuid();

        /// <summary>Opens a file read-write, made 0600 if missing, never through a link and never waiting (a FIFO). -1 and errno on failure.</summary>
        public static int OpenFile(string path, bool create) =>
            Retry(() => open(path, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, Convert.ToUInt32("600", 8)));

        /// <summary>Opens a directory (not a link to one) to inspect and chmod it. -1 and errno on failure.</summary>
        public static int OpenDirectory(string path) => Retry(() => open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0));

        /// <summary>Takes the exclusive advisory lock of an open file without waiting: false when another open file holds it.</summary>
        public static bool TryLock(int fd)
        {
            if (Retry(() => flock(fd, LOCK_EX | LOCK_NB)) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastWin32Error();
            if (errno == EWOULDBLOCK)
            {
                return false;
            }

            throw Failure("flock", errno);
        }

        public static void Unlock(int fd) => flock(fd, LOCK_UN);

        public static void Close(int fd) => close(fd);

        public static bool MakeDirectory(string path, out int errno)
        {
            bool made = mkdir(path, Convert.ToUInt32("700", 8)) == 0;
            errno = made ? 0 : Marshal.GetLastWin32Error();
            return made;
        }

        public static void ChangeMode(int fd, uint permissions)
        {
            if (fchmod(fd, permissions) != 0)
            {
                throw Failure("fchmod", Marshal.GetLastWin32Error());
            }
        }

        public static bool Unlink(string path) => unlink(path) == 0;

        public static FileStatus FStat(int fd)
        {
            byte[] buffer = new byte[512];
            int result;
            if (s_isMac)
            {
                result = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? fstat_darwin_arm64(fd, buffer) : fstat_darwin_x64(fd, buffer);
                if (result == 0)
                {
                    // struct stat (64-bit inodes): dev 0, mode (16 bits) 4, nlink (16 bits) 6, ino 8, uid 16, size 96.
                    return new FileStatus(BitConverter.ToUInt16(buffer, 4), BitConverter.ToUInt32(buffer, 16), BitConverter.ToUInt16(buffer, 6), BitConverter.ToInt64(buffer, 96));
                }
            }
            else
            {
                // statx: one layout on every architecture. AT_EMPTY_PATH: the file of fd itself.
                const int AT_EMPTY_PATH = 0x1000;
                const uint STATX_BASIC_STATS = 0x7ff;
                result = statx(fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, buffer);
                if (result == 0)
                {
                    // struct statx: nlink 16, uid 20, mode (16 bits) 28, size 40.
                    return new FileStatus(BitConverter.ToUInt16(buffer, 28), BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 16), BitConverter.ToInt64(buffer, 40));
                }
            }

            throw Failure("fstat", Marshal.GetLastWin32Error());
        }

        /// <summary>Reads up to <paramref name="count"/> bytes from the start of the file.</summary>
        public static int ReadStart(int fd, byte[] buffer, int count)
        {
            long read = (long)Retry(() => (int)(long)pread(fd, buffer, (UIntPtr)(uint)count, IntPtr.Zero));
            return read < 0 ? throw Failure("read", Marshal.GetLastWin32Error()) : (int)read;
        }

        /// <summary>Writes the bytes at the start of the file.</summary>
        public static void WriteStart(int fd, byte[] bytes)
        {
            long written = Retry(() => (int)(long)pwrite(fd, bytes, (UIntPtr)(uint)bytes.Length, IntPtr.Zero));
            if (written < 0)
            {
                throw Failure("write", Marshal.GetLastWin32Error());
            }
        }

        /// <summary>The system's words for an errno value.</summary>
        public static string Describe(int errno)
        {
            IntPtr text = strerror(errno);
            return (text == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(text)) ?? "error " + errno;
        }

        private static System.IO.IOException Failure(string call, int errno) =>
            new System.IO.IOException($"{call} failed: {Describe(errno)} (errno {errno}).", errno);

        private static int Retry(Func<int> call)
        {
            while (true)
            {
                int result = call();
                if (result != -1 || Marshal.GetLastWin32Error() != EINTR)
                {
                    return result;
                }
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags, uint mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        private static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        private static extern int mkdir([MarshalAs(UnmanagedType.LPStr)] string path, uint mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int fchmod(int fd, uint mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int unlink([MarshalAs(UnmanagedType.LPStr)] string path);

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr pread(int fd, byte[] buffer, UIntPtr count, IntPtr offset);

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr pwrite(int fd, byte[] buffer, UIntPtr count, IntPtr offset);

        [DllImport("libc")]
        private static extern uint geteuid();

        [DllImport("libc")]
        private static extern IntPtr strerror(int errno);

        [DllImport("libc", SetLastError = true)]
        private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPStr)] string path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
        private static extern int fstat_darwin_arm64(int fd, byte[] buffer);

        [DllImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
        private static extern int fstat_darwin_x64(int fd, byte[] buffer);
    }
}

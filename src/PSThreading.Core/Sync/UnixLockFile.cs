using System;
using System.IO;
using System.Runtime.InteropServices;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// A machine lock's file on Linux and macOS: flock on a regular file of the user's own folder, opened without
    /// following links and without waiting (a FIFO would block), and checked once open: a regular file owned by
    /// the user. A file removed by its last holder may still be locked by a taker that opened it just before:
    /// that taker sees it has no links any more and opens the path again, so two takers never hold two files.
    /// </summary>
    internal sealed class UnixLockFile : MachineLockFile
    {
        private const int ELOOP_Linux = 40;
        private const int ELOOP_Mac = 62;
        private const int EACCES = 13;
        private const int EPERM = 1;
        private const int ENXIO = 6;

        private static readonly uint s_groupOrOther = Convert.ToUInt32("077", 8);
        private static readonly uint s_ownerReadWrite = Convert.ToUInt32("600", 8);

        private readonly int _fd;
        private readonly string _path;
        private bool _closed;

        private UnixLockFile(int fd, string path)
        {
            _fd = fd;
            _path = path;
        }

        public static MachineLockFile? TryLockAt(string path)
        {
            // Each round that loses to a removal starts again; a handful is plenty, the bound is a safety net.
            for (int round = 0; round < 1000; round++)
            {
                int fd = Open(path, create: true);
                try
                {
                    CheckOurs(path, UnixNative.FStat(fd));
                    if (!UnixNative.TryLock(fd))
                    {
                        UnixNative.Close(fd);
                        return null;
                    }

                    UnixNative.FileStatus locked = UnixNative.FStat(fd);
                    if (locked.Links == 0)
                    {
                        UnixNative.Close(fd);
                        continue;
                    }

                    if ((locked.Permissions & s_groupOrOther) != 0)
                    {
                        // A record an older version of the module left readable by everyone.
                        UnixNative.ChangeMode(fd, s_ownerReadWrite);
                    }

                    return new UnixLockFile(fd, path);
                }
                catch (IOException ex)
                {
                    UnixNative.Close(fd);
                    throw new MachineLockUnavailableException($"Cannot use the machine-lock file '{path}': {ex.Message}", ex);
                }
                catch
                {
                    UnixNative.Close(fd);
                    throw;
                }
            }

            return null;
        }

        public static byte[]? ReadUnlockedAt(string path)
        {
            int fd = UnixNative.OpenFile(path, create: false);
            if (fd < 0)
            {
                return null;
            }

            try
            {
                UnixNative.FileStatus status = UnixNative.FStat(fd);
                return status.IsRegularFile && status.Uid == UnixNative.EffectiveUserId ? ReadRecord(fd) : null;
            }
            catch (IOException)
            {
                return null;
            }
            finally
            {
                UnixNative.Close(fd);
            }
        }

        public override byte[] Read() => ReadRecord(_fd);

        public override void Write(byte[] record) => UnixNative.WriteStart(_fd, record);

        public override void Unlock() => Close();

        public override void RemoveAndUnlock()
        {
            // Nobody else may write to the folder: the path is still this file.
            UnixNative.Unlink(_path);
            Close();
        }

        private void Close()
        {
            if (!_closed)
            {
                _closed = true;
                UnixNative.Unlock(_fd);
                UnixNative.Close(_fd);
            }
        }

        private static byte[] ReadRecord(int fd)
        {
            var buffer = new byte[MaxRecordSize];
            int read = UnixNative.ReadStart(fd, buffer, buffer.Length);
            Array.Resize(ref buffer, read);
            return buffer;
        }

        private static int Open(string path, bool create)
        {
            int fd = UnixNative.OpenFile(path, create);
            if (fd >= 0)
            {
                return fd;
            }

            int errno = Marshal.GetLastWin32Error();
            switch (errno)
            {
                case ELOOP_Linux when !RuntimeInformation.IsOSPlatform(OSPlatform.OSX):
                case ELOOP_Mac when RuntimeInformation.IsOSPlatform(OSPlatform.OSX):
                    throw MachineLockFolder.Unsafe(path, "it is a symbolic link, which is never followed");
                case EACCES:
                case EPERM:
                case ENXIO:
                    throw MachineLockFolder.Unsafe(path, $"it cannot be opened as a file of this user ({UnixNative.Describe(errno)})");
                default:
                    throw MachineLockFolder.Unavailable(path, "cannot open it", errno);
            }
        }

        private static void CheckOurs(string path, UnixNative.FileStatus status)
        {
            if (!status.IsRegularFile)
            {
                throw MachineLockFolder.Unsafe(path, $"it is not a regular file but a {KindOf(status.Mode)}");
            }

            if (status.Uid != UnixNative.EffectiveUserId)
            {
                throw MachineLockFolder.Unsafe(path, $"it is owned by another user (uid {status.Uid}), whose record is not to be believed");
            }
        }

        private static string KindOf(uint mode) => (mode & UnixNative.S_IFMT) switch
        {
            0x1000 => "FIFO (named pipe)",
            0x2000 => "character device",
            0x6000 => "block device",
            0xC000 => "socket",
            0xA000 => "symbolic link",
            0x4000 => "folder",
            _ => "special file",
        };
    }
}

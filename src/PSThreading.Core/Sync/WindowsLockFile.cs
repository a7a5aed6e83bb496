using System;
using System.IO;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// A machine lock's file on Windows (untested here): a file of the user's profile opened for writing with no
    /// other writer allowed, which the system closes when the process ends. Others may read it, to name the holder.
    /// </summary>
    internal sealed class WindowsLockFile : MachineLockFile
    {
        private readonly FileStream _file;
        private readonly string _path;

        private WindowsLockFile(FileStream file, string path)
        {
            _file = file;
            _path = path;
        }

        public static MachineLockFile? TryLockAt(string path)
        {
            try
            {
                return new WindowsLockFile(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1), path);
            }
            catch (IOException ex) when (IsSharingViolation(ex))
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new MachineLockUnavailableException($"Cannot use the machine-lock file '{path}': {ex.Message}", ex);
            }
        }

        public static byte[]? ReadUnlockedAt(string path)
        {
            try
            {
                using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1))
                {
                    return ReadRecord(file);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        public override byte[] Read() => ReadRecord(_file);

        public override void Write(byte[] record)
        {
            _file.Position = 0;
            _file.Write(record, 0, record.Length);
            _file.Flush();
        }

        public override void Unlock() => _file.Dispose();

        public override void RemoveAndUnlock()
        {
            _file.Dispose();
            try
            {
                // Fails harmlessly when another taker opened it in between.
                File.Delete(_path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
            }
        }

        private static byte[] ReadRecord(FileStream file)
        {
            var buffer = new byte[MaxRecordSize];
            file.Position = 0;
            int total = 0;
            int read;
            while (total < buffer.Length && (read = file.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            Array.Resize(ref buffer, total);
            return buffer;
        }

        private static bool IsSharingViolation(IOException ex) => (ex.HResult & 0xFFFF) == 32 || (ex.HResult & 0xFFFF) == 33;
    }
}

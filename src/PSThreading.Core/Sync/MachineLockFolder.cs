using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace PSThreading.Core.Sync
{
    /// <summary>
    /// The folder of a user's machine-lock files. On Linux and macOS it sits in the shared temporary folder, where
    /// any user may create a folder of that name first or plant links in it, so every take checks it: a real
    /// folder (not a link), owned by the user, writable by nobody else. It is made 0700; one the user owns that
    /// others may only read or enter (an older version of the module made it 0755) is narrowed to 0700. Anything
    /// else is refused with MachineLockFolderUnsafe. On Windows it is in the user's own profile.
    /// </summary>
    internal static class MachineLockFolder
    {
        private static readonly uint s_ownerOnly = Convert.ToUInt32("700", 8);
        private static readonly uint s_groupOrOtherWrite = Convert.ToUInt32("022", 8);
        private static readonly uint s_groupOrOther = Convert.ToUInt32("077", 8);

        internal static bool IsWindows { get; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>The user's name, read once: on Unix each read opens the password database, which fails with every descriptor in use.</summary>
        internal static string UserName { get; } = Environment.UserName;

        /// <summary>The folder's path: read per call, so that a changed TMPDIR is followed.</summary>
        public static string PathOfFolder => IsWindows ? WindowsFolder() : Path.Combine(Path.GetTempPath(), "PSThreading-locks-" + MachineMutex.Readable(UserName));

        /// <summary>The folder, made if missing and checked (see the class). Throws MachineLockFolderUnsafe or MachineLockUnavailable.</summary>
        public static string EnsureSafe() => EnsureSafe(PathOfFolder);

        internal static string EnsureSafe(string folder)
        {
            if (IsWindows)
            {
                Directory.CreateDirectory(folder);
                return folder;
            }

            if (!UnixNative.MakeDirectory(folder, out int made) && made != 17 /* EEXIST */)
            {
                throw Unavailable(folder, "cannot create it", made);
            }

            int fd = UnixNative.OpenDirectory(folder);
            if (fd < 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno == UnixNative.EMFILE || errno == UnixNative.ENFILE || errno == UnixNative.ENOENT)
                {
                    throw Unavailable(folder, "cannot open it", errno);
                }

                throw Unsafe(folder, errno == 13 /* EACCES */
                    ? $"it cannot be entered ({UnixNative.Describe(errno)}): another user owns it"
                    : $"it is not a folder but a link or another kind of file ({UnixNative.Describe(errno)})");
            }

            try
            {
                UnixNative.FileStatus status = UnixNative.FStat(fd);
                uint me = UnixNative.EffectiveUserId;
                if (!status.IsDirectory)
                {
                    throw Unsafe(folder, "it is not a folder");
                }

                if (status.Uid != me)
                {
                    throw Unsafe(folder, $"it is owned by {NameOf(status.Uid)}, not by {NameOf(me)}");
                }

                if ((status.Permissions & s_groupOrOtherWrite) != 0)
                {
                    throw Unsafe(folder, $"other users may write to it (mode {Octal(status.Permissions)})");
                }

                if ((status.Permissions & s_groupOrOther) != 0)
                {
                    UnixNative.ChangeMode(fd, s_ownerOnly);
                }
            }
            catch (IOException ex)
            {
                throw new MachineLockUnavailableException($"Cannot check the machine-lock folder '{folder}': {ex.Message}", ex);
            }
            finally
            {
                UnixNative.Close(fd);
            }

            return folder;
        }

        /// <summary>MachineLockFolderUnsafe for a path in the folder (or the folder itself), saying why.</summary>
        internal static MachineLockFolderUnsafeException Unsafe(string path, string why) => new MachineLockFolderUnsafeException(path,
            $"Refusing to use '{path}' for machine locks: {why}. Another user may have put it there to make this process write " +
            $"through it or trust it. Remove it (as root if need be) and try again; the module then makes the folder " +
            $"'{PathOfFolder}' itself, owned by {NameOf(UnixNative.EffectiveUserId)} and private (mode 0700), " +
            "or point TMPDIR at a folder of your own.");

        internal static MachineLockUnavailableException Unavailable(string path, string what, int errno) => new MachineLockUnavailableException(
            $"Cannot use the machine-lock file '{path}': {what}: {UnixNative.Describe(errno)}." +
            (errno == UnixNative.EMFILE || errno == UnixNative.ENFILE
                ? " The process has too many files open (each machine lock held keeps one open): release some, or raise the limit (ulimit -n)."
                : " Check that the temporary folder exists and is writable, or point TMPDIR at one that is."),
            new IOException(UnixNative.Describe(errno), errno));

        private static string WindowsFolder()
        {
            string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(local.Length == 0 ? Path.GetTempPath() : local, "PSThreading", "locks");
        }

        private static string Octal(uint permissions) => "0" + Convert.ToString(permissions, 8).PadLeft(3, '0');

        private static string NameOf(uint uid)
        {
            // /etc/passwd names local users; a uid it does not list is shown as a number.
            try
            {
                foreach (string line in File.ReadAllLines("/etc/passwd"))
                {
                    string[] fields = line.Split(':');
                    if (fields.Length > 2 && fields[2] == uid.ToString(CultureInfo.InvariantCulture))
                    {
                        return fields[0] + " (uid " + fields[2] + ")";
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
            }

            return "uid " + uid.ToString(CultureInfo.InvariantCulture);
        }
    }
}

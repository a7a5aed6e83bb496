using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSThreading.Engine;
using PSThreading.Runspaces;

namespace PSThreading.Processes
{
    /// <summary>
    /// A pwsh child process running items for us: PowerShell's own out-of-process runspace (what Start-Job uses),
    /// with PSThreading imported and a watch on this process (see <see cref="ParentWatch"/>), so it never outlives us.
    /// In Windows PowerShell 5.1 the same API starts powershell.exe (untested here).
    /// </summary>
    internal sealed class ChildProcess : RemoteRunspace
    {
        // The stderr lines kept for the message of a process that ended under an item (a FailFast's text, say).
        private const int KeptStderrLines = 8;
        private static readonly TimeSpan s_stderrDrainWait = TimeSpan.FromMilliseconds(300);

        private readonly object _instance;
        private readonly Process _process;
        private readonly ManualResetEvent _exited = new ManualResetEvent(false);
        private readonly Queue<string> _stderr = new Queue<string>();
        private Runspace? _runspace;
        private string? _stderrPath;
        private int _ended;

        private ChildProcess(object instance, Process process, PSLanguageMode languageMode)
        {
            _instance = instance;
            _process = process;
            LanguageMode = languageMode;
        }

        public override Runspace Runspace => _runspace ?? throw new InvalidOperationException("The child process is not open.");

        public override int ProcessId => Id;

        public override string Where => "process " + Id.ToString(CultureInfo.InvariantCulture);

        public int Id { get; private set; }

        public PSLanguageMode LanguageMode { get; }

        public override WaitHandle Lost => _exited;

        /// <summary>What the child held right after it opened: what a call leaves beyond it is removed before the next.</summary>
        internal ChildBaseline? Baseline { get; private set; }

        /// <summary>When the child last finished a call (for the idle trim).</summary>
        internal DateTime IdleSince { get; set; }

        /// <summary>Starts a child pwsh, opens its runspace and imports PSThreading in it. Slow (about a second): a cold start.</summary>
        public static ChildProcess Start(PSLanguageMode languageMode)
        {
            (object instance, Process process) = OutOfProcessRunspaces.NewInstance();
            var child = new ChildProcess(instance, process, languageMode);
            try
            {
                child.Open();
                return child;
            }
            catch
            {
                child.Abandon();
                throw;
            }
        }

        private void Open()
        {
            ProcessStartInfo start = _process.StartInfo;
            // The child watches us through this and ends when we do (SIGKILL included).
            start.Environment[ParentWatch.ParentVariable] = ParentWatch.ThisProcess();
            _stderrPath = ChildStderr.NewPath();
            if (_stderrPath != null)
            {
                start.Environment[ChildStderr.FileVariable] = _stderrPath;
            }

            _process.EnableRaisingEvents = true;
            _process.Exited += (sender, e) => _exited.Set();
            _process.ErrorDataReceived += (sender, e) => KeepStderr(e.Data);
            _runspace = OutOfProcessRunspaces.CreateRunspace(_instance);
            _runspace.Open();
            Id = _process.Id;
            Baseline = ChildBaseline.Take(_runspace, ModulePath(), LanguageMode);
        }

        public override ErrorRecord LostError(object? target, bool poolItem)
        {
            // The exit is seen before the last stderr lines are read: the parameterless wait also waits for the end of
            // the redirected streams, bounded here since a process the child started could hold them open.
            System.Threading.Tasks.Task.Run(() =>
            {
                try
                {
                    _process.WaitForExit();
                }
                catch (Exception ex) when (ex is InvalidOperationException || ex is SystemException)
                {
                    // Not started or already disposed: no more lines to wait for.
                }
            }).Wait(s_stderrDrainWait);

            string code;
            try
            {
                code = _process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown";
            }
            catch (InvalidOperationException)
            {
                code = "unknown";
            }

            var kept = new List<string>(ChildStderr.LastLines(_stderrPath, KeptStderrLines));
            lock (_stderr)
            {
                kept.AddRange(_stderr);
            }

            string lines = kept.Count == 0 ? string.Empty : " Its last lines on stderr: " + string.Join(" | ", kept);

            var exited = new ChildProcessExitedException(
                $"The worker process {Id} ended (exit code {code}) while it ran {(poolItem ? "this item" : "the thread's block")}.{lines}" +
                (poolItem ? " The other items go on in a new process: an item that ends its process ([Environment]::Exit, a crash, a stack overflow) fails alone." : string.Empty));
            return new ErrorRecord(exited, ProcessErrorIds.WorkerProcessExited, ErrorCategory.OperationStopped, target);
        }

        public override void Abandon()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            Kill();
            ChildStderr.Delete(_stderrPath);
            // PowerShell notices a killed child only after about 60 s, and closing its runspace meanwhile can block:
            // closed on a thread of its own, which nothing waits for.
            Runspace? runspace = _runspace;
            var closer = new Thread(() => DisposeQuietly(runspace)) { IsBackground = true, Name = "PSThreading child closer" };
            closer.Start();
        }

        public override void Close()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            var closer = new Thread(() =>
            {
                DisposeQuietly(_runspace);
                // A child that did not end with its runspace (it runs a .NET call) is ended here.
                if (!_exited.WaitOne(TimeSpan.FromSeconds(2)))
                {
                    Kill();
                }

                ChildStderr.Delete(_stderrPath);
            })
            { IsBackground = true, Name = "PSThreading child closer" };
            closer.Start();
        }

        /// <summary>Kills the child at once, without closing its runspace: for this process's exit.</summary>
        internal void KillAtExit()
        {
            Kill();
            ChildStderr.Delete(_stderrPath);
        }

        private void Kill()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is SystemException)
            {
                // Ended already, or never started.
            }
        }

        private void KeepStderr(string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.Enqueue(line!.Length > 300 ? line.Substring(0, 300) : line);
                while (_stderr.Count > KeptStderrLines)
                {
                    _stderr.Dequeue();
                }
            }
        }

        private static void DisposeQuietly(Runspace? runspace)
        {
            try
            {
                runspace?.Dispose();
            }
            catch (Exception)
            {
                // A runspace over a dead transport may fail to close: the process is gone, nothing to free.
            }
        }

        private static string ModulePath()
        {
            string folder = Path.GetDirectoryName(typeof(ChildProcess).Assembly.Location) ?? ".";
            string manifest = Path.Combine(folder, "PSThreading.psd1");
            return File.Exists(manifest) ? manifest : typeof(ChildProcess).Assembly.Location;
        }
    }

    /// <summary>The child process of a worker ended while it ran an item.</summary>
    internal sealed class ChildProcessExitedException : Exception
    {
        public ChildProcessExitedException(string message)
            : base(message)
        {
        }
    }
}

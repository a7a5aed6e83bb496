using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace PSThreading.Engine
{
    /// <summary>
    /// Every capability of the engine seam (the classes of this folder), what it gives, and what the module does
    /// without it. A fallback is closed (security: refuses), warned (data: says once what is lost), or slower.
    /// </summary>
    internal static class EngineCapabilities
    {
        private static readonly Entry[] s_entries =
        {
            new Entry(OriginalRecords.Name, () => OriginalRecords.IsAvailable, () => true, "warned",
                "warning, verbose and debug records forwarded from threads are written as messages, without their InvocationInfo",
                "Forwards a thread's warning, verbose and debug records as the records they are (MshCommandRuntime's record overloads)."),
            new Entry(VerboseSwitch.Name, () => VerboseSwitch.IsAvailable, () => true, "warned",
                "verbose and debug records a thread let through are dropped where they are forwarded, unless the forwarding command is given -Verbose or -Debug",
                "Writes the verbose and debug records a thread let through although the forwarding command's own preference is SilentlyContinue (MshCommandRuntime's Verbose and IsVerboseFlagSet)."),
            new Entry(ErrorInvocation.Name, () => ErrorInvocation.IsAvailable, () => true, "warned",
                "errors forwarded from threads carry the forwarding command's invocation, and its name in their FullyQualifiedErrorId",
                "Keeps a forwarded error's own invocation and plain error id (ErrorRecord's PreserveInvocationInfoOnce and SetInvocationInfo)."),
            new Entry(SessionStateTables.Name, () => SessionStateTables.IsAvailable, () => true, "slower",
                "a worker's runspace is not reused for the next worker",
                "Reads a runspace's global aliases, functions, drives and modules to clean it for reuse (ExecutionContext.EngineSessionState, ModuleTable)."),
            new Entry(ClassRunspaceAffinity.Name, () => ClassRunspaceAffinity.IsAvailable, () => true, "closed",
                "every PowerShell class instance passed to a thread is refused (RunspaceBoundClassInstance), [NoRunspaceAffinity()] ones too",
                "Tells a PowerShell class instance bound to its runspace from a [NoRunspaceAffinity()] one (the instance's __sessionState field)."),
            new Entry(InstanceMembers.Name, () => InstanceMembers.IsAvailable, () => true, "slower",
                "the members added to a value passed to a thread are found through PSObject.Members",
                "Finds the script members added to a value (Add-Member) quickly (PSObject.HasInstanceMembers)."),
            new Entry(PrimaryRunspace.Name, () => PrimaryRunspace.IsAvailable, () => true, "degraded",
                "only pwsh's console host tells which runspace is the primary one: under another host, threads are not joined at exit",
                "Finds the runspace whose closing means the process exits, to join non-daemon threads then (Runspace.PrimaryRunspace)."),
            new Entry(EngineRunspaceList.Name, () => EngineRunspaceList.IsAvailable, () => EngineRunspaceList.IsNeeded, "degraded",
                "the exit waits for daemon threads that are inside a long .NET call",
                "Takes daemon threads' runspaces out of the engine's list, so that the exit does not wait for them (Runspace.s_runspaceDictionary)."),
            new Entry(HostTranscript.Name, () => HostTranscript.IsAvailable, () => true, "warned",
                "host output of threads (Write-Host) is not added to transcripts (Start-Transcript)",
                "Adds a thread's host output to the caller's transcripts (PSHostUserInterface.TranscribeResult)."),
            new Entry(LockdownPolicy.Name, () => LockdownPolicy.IsAvailable, () => LockdownPolicy.IsNeeded, "closed",
                "workers run in ConstrainedLanguage mode",
                "Reads the Windows system lockdown policy (WDAC, AppLocker) that puts workers in ConstrainedLanguage mode (SystemPolicy.GetSystemLockdownPolicy)."),
            new Entry(PSReadLine.Name, () => PSReadLine.IsAvailableNow, () => PSReadLine.IsNeeded, "degraded",
                "host output of threads at an idle prompt is written straight to the console, where typing overwrites it",
                "Writes host output of threads above an idle PSReadLine prompt and draws the prompt again (PSConsoleReadLine's _singleton, _handleIdleOverride, _initialY and more)."),
            new Entry(OutOfProcessRunspaces.Name, () => OutOfProcessRunspaces.IsAvailable, () => true, "refused",
                "-Isolation Process is refused with an error saying this PowerShell has no out-of-process runspaces",
                "Starts warm pwsh child processes for -Isolation Process (PowerShellProcessInstance and RunspaceFactory.CreateOutOfProcessRunspace, public in PowerShell but missing from the reference the module compiles against)."),
            new Entry(DotSourceInvoke.Name, () => DotSourceInvoke.IsAvailable, () => true, "slower",
                "Invoke-WithLock runs its block through a wrapper script: about twice the cost of a call",
                "Runs Invoke-WithLock's block dot-sourced with its output streamed, as ForEach-Object does, without a wrapper script (ScriptBlock.InvokeUsingCmdlet)."),
            new Entry(RootDriveCheck.Name, () => RootDriveCheck.IsAvailable, () => RootDriveCheck.IsNeeded, "slower",
                "cleaning a worker runspace for the next worker, and every path lookup in a worker, checks that the drive '/' still exists: about twice the cost",
                "Spares worker runspaces PowerShell's check, on every path lookup, that the file-system drive '/' (marked auto-mounted on Linux and macOS) still exists (PSDriveInfo.IsAutoMounted)."),
            new Entry(CurrentCommand.Name, () => CurrentCommand.IsAvailable, () => true, "degraded",
                "Remove-Module's warning about threads still running ignores its -WarningAction, and Import-Module -Verbose lists no fallbacks",
                "Writes through the command running now (Remove-Module, Import-Module) from code it calls (ExecutionContext.CurrentCommandProcessor)."),
        };

        /// <summary>Each capability as it is now (PSReadLine, say, is loaded after the module).</summary>
        public static List<ThreadingCapability> All()
        {
            var all = new List<ThreadingCapability>(s_entries.Length);
            foreach (Entry entry in s_entries)
            {
                all.Add(new ThreadingCapability(entry.Name, entry.IsAvailable(), entry.IsNeeded(), entry.Kind + ": " + entry.Loss, entry.Description));
            }

            return all;
        }

        /// <summary>The warning written once when <paramref name="capability"/>'s loss loses data or closes something.</summary>
        public static string FallbackMessage(string capability)
        {
            foreach (Entry entry in s_entries)
            {
                if (string.Equals(entry.Name, capability, StringComparison.Ordinal))
                {
                    return $"PSThreading's {entry.Name} capability does not work on this PowerShell ({PowerShellVersion()}): " +
                        $"{entry.Loss}. Get-ThreadingCapability lists what works here.";
                }
            }

            throw new ArgumentException("No such capability: " + capability, nameof(capability));
        }

        private static string PowerShellVersion()
        {
            Assembly engine = typeof(PSObject).Assembly;
            string? product = engine.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return string.IsNullOrEmpty(product) ? engine.GetName().Version.ToString() : product!.Split(' ')[0];
        }

        private sealed class Entry
        {
            public Entry(string name, Func<bool> isAvailable, Func<bool> isNeeded, string kind, string loss, string description)
            {
                Name = name;
                IsAvailable = isAvailable;
                IsNeeded = isNeeded;
                Kind = kind;
                Loss = loss;
                Description = description;
            }

            public string Name { get; }

            public Func<bool> IsAvailable { get; }

            public Func<bool> IsNeeded { get; }

            public string Kind { get; }

            public string Loss { get; }

            public string Description { get; }
        }
    }
}

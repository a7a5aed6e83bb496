using System;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Threading;

namespace PSThreading.Runtime
{
    /// <summary>
    /// PSReadLine's prompt, reached by reflection (the module does not reference PSReadLine, and hosts without
    /// it have none): whether it is reading a command line now, where its prompt starts, its public
    /// <c>InvokePrompt</c> to draw the prompt and the half-typed line again, and its idle hook
    /// (<c>_handleIdleOverride</c>, called on the prompt's thread each 300 ms without a key). Its event pump was no
    /// way in: PSReadLine 2.4.5 ran no event action at a prompt with half a line typed (seen in tmux). Every member is guarded: a PSReadLine
    /// whose inside differs reads as absent, and callers then write straight to the console.
    /// </summary>
    internal static class PSReadLinePrompt
    {
        private const string TypeName = "Microsoft.PowerShell.PSConsoleReadLine";
        private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;

        private static readonly object s_sync = new object();
        private static Members? s_members;
        private static long s_lookedAt;
        private static Action? s_whenIdle;
        private static Action<CancellationToken>? s_previousIdleHook;
        private static readonly Action<CancellationToken> s_idleHook = OnIdle;
        private static bool s_hooked;

        /// <summary>True when PSReadLine is loaded in this process.</summary>
        public static bool IsLoaded => Find() != null;

        /// <summary>
        /// True while PSReadLine waits at the prompt for a command line of <paramref name="runspace"/> (its
        /// <c>_readLineReady</c>, false while a command runs, and the runspace it was started for).
        /// </summary>
        public static bool IsReadingFor(Runspace? runspace)
        {
            Members? members = Find();
            if (members == null || runspace == null)
            {
                return false;
            }

            try
            {
                return members.ReadLineReady.GetValue(members.Singleton) is true
                    && ReferenceEquals(members.Runspace.GetValue(members.Singleton), runspace);
            }
            catch (Exception ex) when (ex is TargetException || ex is FieldAccessException || ex is InvalidCastException)
            {
                return false;
            }
        }

        /// <summary>True while text can be written above <paramref name="runspace"/>'s prompt: PSReadLine reads it, and our idle hook is set.</summary>
        public static bool CanWriteAbove(Runspace? runspace) => Volatile.Read(ref s_hooked) && IsReadingFor(runspace);

        /// <summary>The buffer row where the prompt starts (its extra lines included).</summary>
        public static int PromptTop()
        {
            Members members = Find()!;
            int initialY = (int)members.InitialY.GetValue(members.Singleton)!;
            object? options = members.Options.GetValue(members.Singleton);
            object? extra = options?.GetType().GetProperty("ExtraPromptLineCount")?.GetValue(options);
            return Math.Max(0, initialY - (extra is int lines ? lines : 0));
        }

        /// <summary>Draws the prompt at the start of buffer row <paramref name="row"/>, then the line being typed after it.</summary>
        public static void DrawAt(int row)
        {
            Members members = Find()!;
            // InvokePrompt(key, arg): an int arg is the row to draw the prompt on, instead of over the old one.
            members.InvokePrompt.Invoke(null, new object?[] { null, row });
        }

        /// <summary>
        /// Sets PSReadLine's idle hook to this module's, once, on the prompt's own thread (PSReadLine, waiting for a
        /// key, missed a hook set from another thread until the next key). False when PSReadLine does not read for
        /// <paramref name="runspace"/>, or its inside is not the one known here.
        /// </summary>
        public static bool EnsureIdleHook(Runspace? runspace)
        {
            Members? members = Find();
            if (members == null || runspace == null || !ReferenceEquals(members.Runspace.GetValue(members.Singleton), runspace))
            {
                return false;
            }

            lock (s_sync)
            {
                if (!s_hooked)
                {
                    // A hook already set (PowerShell Editor Services sets one) is called from ours.
                    s_previousIdleHook = members.IdleHook.GetValue(null) as Action<CancellationToken>;
                    members.IdleHook.SetValue(null, s_idleHook);
                    Volatile.Write(ref s_hooked, true);
                }
            }

            return true;
        }

        /// <summary>Runs <paramref name="action"/> on the prompt's thread the next time PSReadLine is idle between keys.</summary>
        public static void CallWhenIdle(Action action)
        {
            lock (s_sync)
            {
                if (s_whenIdle == null || !s_whenIdle.GetInvocationList().Contains(action))
                {
                    s_whenIdle += action;
                }
            }
        }

        /// <summary>Puts back the idle hook found before (module removal).</summary>
        public static void RemoveIdleHook()
        {
            lock (s_sync)
            {
                if (s_hooked && s_members != null && ReferenceEquals(s_members.IdleHook.GetValue(null), s_idleHook))
                {
                    s_members.IdleHook.SetValue(null, s_previousIdleHook);
                }

                Volatile.Write(ref s_hooked, false);
            }
        }

        private static void OnIdle(CancellationToken cancellation)
        {
            Action? whenIdle;
            lock (s_sync)
            {
                whenIdle = s_whenIdle;
                s_whenIdle = null;
            }

            whenIdle?.Invoke();
            if (s_previousIdleHook != null)
            {
                s_previousIdleHook(cancellation);
            }
            else
            {
                PSReadLineEvents.Pump(s_members!.Singleton);
            }
        }

        private static Members? Find()
        {
            Members? found = s_members;
            if (found != null)
            {
                return found;
            }

            lock (s_sync)
            {
                // Not loaded (yet): looked for again at most once a second, not at every line a worker writes.
                long now = Environment.TickCount;
                if (s_members == null && (s_lookedAt == 0 || now - s_lookedAt > 1000))
                {
                    s_lookedAt = now;
                    foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
                    {
                        Type? type = assembly.IsDynamic ? null : assembly.GetType(TypeName, throwOnError: false);
                        if (type != null)
                        {
                            s_members = Members.Of(type);
                            break;
                        }
                    }
                }

                return s_members;
            }
        }

        private sealed class Members
        {
            public object Singleton { get; private set; } = null!;

            public FieldInfo ReadLineReady { get; private set; } = null!;

            public FieldInfo Runspace { get; private set; } = null!;

            public FieldInfo InitialY { get; private set; } = null!;

            public FieldInfo Options { get; private set; } = null!;

            public MethodInfo InvokePrompt { get; private set; } = null!;

            public FieldInfo IdleHook { get; private set; } = null!;

            public static Members? Of(Type type)
            {
                object? singleton = type.GetField("_singleton", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
                FieldInfo? ready = type.GetField("_readLineReady", Private);
                FieldInfo? runspace = type.GetField("_runspace", Private);
                FieldInfo? initialY = type.GetField("_initialY", Private);
                FieldInfo? options = type.GetField("_options", Private);
                MethodInfo? invokePrompt = type.GetMethod("InvokePrompt", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(ConsoleKeyInfo?), typeof(object) }, null);
                FieldInfo? idleHook = type.GetField("_handleIdleOverride", BindingFlags.NonPublic | BindingFlags.Static);
                if (singleton == null || ready?.FieldType != typeof(bool) || runspace == null || initialY?.FieldType != typeof(int) || options == null ||
                    invokePrompt == null || idleHook?.FieldType != typeof(Action<CancellationToken>))
                {
                    return null;
                }

                return new Members
                {
                    Singleton = singleton,
                    ReadLineReady = ready,
                    Runspace = runspace,
                    InitialY = initialY,
                    Options = options,
                    InvokePrompt = invokePrompt,
                    IdleHook = idleHook,
                };
            }
        }
    }
}

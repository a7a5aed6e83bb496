using System;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Threading;
using PSThreading.Pool;
using PSThreading.Terminal;
using PSThreading.Values;

namespace PSThreading.Engine
{
    /// <summary>
    /// PSReadLine's prompt, reached by reflection (the module does not reference PSReadLine, and hosts without
    /// it have none): whether it is reading a command line now, where its prompt starts, its public
    /// <c>InvokePrompt</c> to draw the prompt and the half-typed line again, and its idle hook
    /// (<c>_handleIdleOverride</c>, called on the prompt's thread each 300 ms without a key). The public way in,
    /// a PowerShell.OnIdle action, was no way: PSReadLine 2.4.5 raises OnIdle only with nothing typed, and after
    /// event actions it reads the cursor's row (waiting for the next key once anything coloured was written) and
    /// takes it as the typed line's first row (wrong with the cursor on a later row). Every member is guarded: a
    /// PSReadLine whose inside differs reads as absent, and callers then write straight to the console.
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
        private static volatile Func<bool>? s_stillNeeded;

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
        public static bool CanWriteAbove(Runspace? runspace) => IsHookInPlace() && IsReadingFor(runspace);

        /// <summary>
        /// The buffer row where the prompt starts: the row the typed line starts on, less the rows the prompt's own
        /// text goes down (a two-line prompt function), or PSReadLine's ExtraPromptLineCount where that is more.
        /// </summary>
        public static int PromptTop(string prompt, int width)
        {
            Members members = Find()!;
            int initialY = (int)members.InitialY.GetValue(members.Singleton)!;
            object? options = members.Options.GetValue(members.Singleton);
            object? extra = options?.GetType().GetProperty("ExtraPromptLineCount")?.GetValue(options);
            var rows = new ConsoleRows(width);
            rows.Add(prompt);
            return Math.Max(0, initialY - Math.Max(rows.Count, extra is int lines ? lines : 0));
        }

        /// <summary>True while this module's hook is PSReadLine's idle hook (another tool may have set its own since).</summary>
        public static bool IsHookInPlace()
        {
            Members? members = Find();
            return Volatile.Read(ref s_hooked) && members != null && ReferenceEquals(members.IdleHook.GetValue(null), s_idleHook);
        }

        /// <summary>
        /// Draws <paramref name="prompt"/> at the start of buffer row <paramref name="row"/>, then the line being typed after it,
        /// and leaves the cursor where the user was typing, at a place .NET knows: InvokePrompt ends by showing the
        /// cursor, an escape sequence after which .NET would ask the terminal where the cursor is (and wait for the
        /// next key, as PSReadLine's own idle work does when it reads the cursor's row).
        /// </summary>
        public static void DrawAt(int row, PromptText prompt)
        {
            Members members = Find()!;
            // InvokePrompt(key, arg): an int arg is the row to draw the prompt on, instead of over the old one.
            prompt.WhilePlain(() => members.InvokePrompt.Invoke(null, new object?[] { null, row }));
            if (prompt.NeedsOverwrite)
            {
                // The real prompt over the plain one, column for column.
                Console.SetCursorPosition(1, row);
                Console.SetCursorPosition(0, row);
                Console.Out.Write(prompt.Shown);
                Console.Out.Flush();
            }

            int x = (int)members.InitialX.GetValue(members.Singleton)!;
            int y = (int)members.InitialY.GetValue(members.Singleton)!;
            // Two moves: .NET skips a move to where it believes the cursor is, so one of these is written for sure.
            Console.SetCursorPosition(x == 0 ? 1 : 0, y);
            Console.SetCursorPosition(x, y);
            var state = new object?[] { null, null };
            members.GetBufferState.Invoke(null, state);
            if (state[1] is int cursor && cursor > 0)
            {
                // PSReadLine's own SetCursorPosition: from the line's start to the typed position, as it counts rows.
                members.SetCursorPosition.Invoke(null, new object[] { cursor });
            }
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
                // In use again (imported again after a removal): the hook stays for good.
                s_stillNeeded = null;
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

        /// <summary>
        /// Module removal, on the pipeline thread (no line is being read): text waiting for the prompt is written
        /// now, and the hook is put back to the one found before once <paramref name="stillNeeded"/> says no thread
        /// of ours can write any more (threads left running keep writing above the prompt until they end).
        /// </summary>
        public static void Release(Func<bool> stillNeeded)
        {
            Action? whenIdle;
            lock (s_sync)
            {
                whenIdle = s_whenIdle;
                s_whenIdle = null;
                s_stillNeeded = stillNeeded;
            }

            whenIdle?.Invoke();
            if (!stillNeeded())
            {
                Unhook();
            }
        }

        private static void Unhook()
        {
            lock (s_sync)
            {
                if (s_hooked && s_members != null && ReferenceEquals(s_members.IdleHook.GetValue(null), s_idleHook))
                {
                    s_members.IdleHook.SetValue(null, s_previousIdleHook);
                }

                s_stillNeeded = null;
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

            Func<bool>? stillNeeded = s_stillNeeded;
            if (stillNeeded != null && s_whenIdle == null && !stillNeeded())
            {
                // Removed, and the last thread that could write has ended: PSReadLine's own idle work again.
                Unhook();
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

            public FieldInfo InitialX { get; private set; } = null!;

            public MethodInfo GetBufferState { get; private set; } = null!;

            public MethodInfo SetCursorPosition { get; private set; } = null!;

            public FieldInfo Options { get; private set; } = null!;

            public MethodInfo InvokePrompt { get; private set; } = null!;

            public FieldInfo IdleHook { get; private set; } = null!;

            public static Members? Of(Type type)
            {
                object? singleton = type.GetField("_singleton", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
                FieldInfo? ready = type.GetField("_readLineReady", Private);
                FieldInfo? runspace = type.GetField("_runspace", Private);
                FieldInfo? initialY = type.GetField("_initialY", Private);
                FieldInfo? initialX = type.GetField("_initialX", Private);
                MethodInfo? getBufferState = type.GetMethod("GetBufferState", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string).MakeByRefType(), typeof(int).MakeByRefType() }, null);
                MethodInfo? setCursorPosition = type.GetMethod("SetCursorPosition", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(int) }, null);
                FieldInfo? options = type.GetField("_options", Private);
                MethodInfo? invokePrompt = type.GetMethod("InvokePrompt", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(ConsoleKeyInfo?), typeof(object) }, null);
                FieldInfo? idleHook = type.GetField("_handleIdleOverride", BindingFlags.NonPublic | BindingFlags.Static);
                if (singleton == null || ready?.FieldType != typeof(bool) || runspace == null || initialY?.FieldType != typeof(int) || initialX?.FieldType != typeof(int) || options == null ||
                    getBufferState == null || setCursorPosition == null ||
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
                    InitialX = initialX,
                    GetBufferState = getBufferState,
                    SetCursorPosition = setCursorPosition,
                    Options = options,
                    InvokePrompt = invokePrompt,
                    IdleHook = idleHook,
                };
            }
        }
    }
}

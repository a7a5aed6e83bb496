using System;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Threading;

namespace PSThreading.Engine
{
    /// <summary>
    /// PSReadLine's inside, reached by reflection (the module does not reference PSReadLine, and hosts without it
    /// have none): whether it is reading a command line now and for which runspace, where the typed line starts,
    /// and its idle hook (<c>_handleIdleOverride</c>, called on the prompt's thread each 300 ms without a key);
    /// and its public static methods, which are reached by name for the same reason (<c>InvokePrompt</c>,
    /// <c>GetBufferState</c>, <c>SetCursorPosition</c>, <c>GetOptions</c>). A PSReadLine whose inside differs
    /// reads as absent, and callers then write straight to the console.
    /// </summary>
    internal static class PSReadLine
    {
        public const string Name = "PSReadLine";

        private const string TypeName = "Microsoft.PowerShell.PSConsoleReadLine";
        private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;

        private static readonly object s_sync = new object();
        private static Members? s_members;
        private static Type? s_type;
        private static long s_lookedAt;

        /// <summary>True when PSReadLine is loaded here and its inside is the one known here (looked for at most once a second).</summary>
        public static bool IsAvailable => Find() != null;

        /// <summary><see cref="IsAvailable"/>, looked for now: for Get-ThreadingCapability, right after Import-Module PSReadLine.</summary>
        public static bool IsAvailableNow => Find(now: true) != null;

        /// <summary>True when PSReadLine is loaded in this process (looked for now): without it there is no prompt to write above.</summary>
        public static bool IsNeeded
        {
            get
            {
                _ = Find(now: true);
                return s_type != null;
            }
        }

        /// <summary>True while PSReadLine waits at the prompt for a command line of <paramref name="runspace"/>.</summary>
        public static bool IsReadingFor(Runspace? runspace)
        {
            Members? members = Find();
            if (members == null || runspace == null)
            {
                return false;
            }

            try
            {
                return members.ReadLineReady.GetValue(members.Singleton) is true && ReferenceEquals(members.Runspace.GetValue(members.Singleton), runspace);
            }
            catch (Exception ex) when (ex is TargetException || ex is FieldAccessException || ex is InvalidCastException)
            {
                return false;
            }
        }

        /// <summary>True when PSReadLine was started for <paramref name="runspace"/> (reading now or not).</summary>
        public static bool IsStartedFor(Runspace? runspace)
        {
            Members? members = Find();
            return members != null && runspace != null && ReferenceEquals(members.Runspace.GetValue(members.Singleton), runspace);
        }

        /// <summary>The column where the line being typed starts.</summary>
        public static int InitialX => (int)Found().InitialX.GetValue(Found().Singleton)!;

        /// <summary>The buffer row where the line being typed starts; set when text written above moved it.</summary>
        public static int InitialY
        {
            get => (int)Found().InitialY.GetValue(Found().Singleton)!;
            set => Found().InitialY.SetValue(Found().Singleton, value);
        }

        /// <summary>The rows above the typed line that belong to the prompt by the user's PSReadLine option.</summary>
        public static int ExtraPromptLineCount
        {
            get
            {
                object? options = Found().GetOptions.Invoke(null, null);
                object? extra = options?.GetType().GetProperty("ExtraPromptLineCount")?.GetValue(options);
                return extra is int lines ? lines : 0;
            }
        }

        /// <summary>The public InvokePrompt(key, arg): an int arg is the row to draw the prompt on, instead of over the old one.</summary>
        public static void InvokePrompt(int row) => Found().InvokePrompt.Invoke(null, new object?[] { null, row });

        /// <summary>The public GetBufferState: the line typed so far and the cursor's place in it.</summary>
        public static string GetBufferState(out int cursor)
        {
            var state = new object?[] { null, null };
            Found().GetBufferState.Invoke(null, state);
            cursor = state[1] is int at ? at : 0;
            return state[0] as string ?? string.Empty;
        }

        /// <summary>The public SetCursorPosition: moves to a place in the typed line, counting rows as PSReadLine does.</summary>
        public static void SetCursorPosition(int cursor) => Found().SetCursorPosition.Invoke(null, new object[] { cursor });

        /// <summary>PSReadLine's idle hook (null when none is set).</summary>
        public static Action<CancellationToken>? IdleHook
        {
            get => Find()?.IdleHook.GetValue(null) as Action<CancellationToken>;
            set => Found().IdleHook.SetValue(null, value);
        }

        private static Members Found() => Find() ?? throw new InvalidOperationException("PSReadLine is not loaded, or its inside is not the one known here.");

        /// <param name="now">Look now, not at most once a second.</param>
        private static Members? Find(bool now = false)
        {
            Members? found = s_members;
            if (found != null)
            {
                return found;
            }

            lock (s_sync)
            {
                // Not loaded (yet): looked for again at most once a second, not at every line a worker writes.
                if (s_members == null && (now || s_lookedAt == 0 || Environment.TickCount - s_lookedAt > 1000))
                {
                    s_lookedAt = Environment.TickCount;
                    foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
                    {
                        Type? type = assembly.IsDynamic ? null : assembly.GetType(TypeName, throwOnError: false);
                        if (type != null)
                        {
                            s_type = type;
                            s_members = CapabilityOverride.IsDisabled(Name) ? null : Members.Of(type);
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

            public FieldInfo IdleHook { get; private set; } = null!;

            public MethodInfo GetBufferState { get; private set; } = null!;

            public MethodInfo SetCursorPosition { get; private set; } = null!;

            public MethodInfo GetOptions { get; private set; } = null!;

            public MethodInfo InvokePrompt { get; private set; } = null!;

            public static Members? Of(Type type)
            {
                try
                {
                    object? singleton = type.GetField("_singleton", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
                    FieldInfo? ready = type.GetField("_readLineReady", Private);
                    FieldInfo? runspace = type.GetField("_runspace", Private);
                    FieldInfo? initialY = type.GetField("_initialY", Private);
                    FieldInfo? initialX = type.GetField("_initialX", Private);
                    FieldInfo? idleHook = type.GetField("_handleIdleOverride", BindingFlags.NonPublic | BindingFlags.Static);
                    MethodInfo? getBufferState = type.GetMethod("GetBufferState", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string).MakeByRefType(), typeof(int).MakeByRefType() }, null);
                    MethodInfo? setCursorPosition = type.GetMethod("SetCursorPosition", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(int) }, null);
                    MethodInfo? getOptions = type.GetMethod("GetOptions", BindingFlags.Public | BindingFlags.Static, null, Type.EmptyTypes, null);
                    MethodInfo? invokePrompt = type.GetMethod("InvokePrompt", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(ConsoleKeyInfo?), typeof(object) }, null);
                    if (singleton == null || ready?.FieldType != typeof(bool) || runspace == null || initialY?.FieldType != typeof(int) || initialX?.FieldType != typeof(int)
                        || getBufferState == null || setCursorPosition == null || getOptions == null || invokePrompt == null
                        || idleHook?.FieldType != typeof(Action<CancellationToken>))
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
                        IdleHook = idleHook,
                        GetBufferState = getBufferState,
                        SetCursorPosition = setCursorPosition,
                        GetOptions = getOptions,
                        InvokePrompt = invokePrompt,
                    };
                }
                catch (Exception)
                {
                    // An overload added (AmbiguousMatchException), a static constructor that failed: absent.
                    return null;
                }
            }
        }
    }
}

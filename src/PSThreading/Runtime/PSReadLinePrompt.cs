using System;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace PSThreading.Runtime
{
    /// <summary>
    /// PSReadLine's prompt, reached by reflection (the module does not reference PSReadLine, and hosts without
    /// it have none): whether it is reading a command line now, where its prompt starts, and its public
    /// <c>InvokePrompt</c> to draw the prompt and the half-typed line again. Every member is guarded: a PSReadLine
    /// whose inside differs reads as absent, and callers then write straight to the console.
    /// </summary>
    internal static class PSReadLinePrompt
    {
        private const string TypeName = "Microsoft.PowerShell.PSConsoleReadLine";
        private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;

        private static readonly object s_sync = new object();
        private static Members? s_members;
        private static long s_lookedAt;

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

            public static Members? Of(Type type)
            {
                object? singleton = type.GetField("_singleton", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
                FieldInfo? ready = type.GetField("_readLineReady", Private);
                FieldInfo? runspace = type.GetField("_runspace", Private);
                FieldInfo? initialY = type.GetField("_initialY", Private);
                FieldInfo? options = type.GetField("_options", Private);
                MethodInfo? invokePrompt = type.GetMethod("InvokePrompt", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(ConsoleKeyInfo?), typeof(object) }, null);
                if (singleton == null || ready?.FieldType != typeof(bool) || runspace == null || initialY?.FieldType != typeof(int) || options == null || invokePrompt == null)
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
                };
            }
        }
    }
}

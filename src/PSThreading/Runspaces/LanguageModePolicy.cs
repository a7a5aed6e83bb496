using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Runspaces
{
    /// <summary>
    /// The language mode a worker runs in: the caller's, and ConstrainedLanguage whenever Windows enforces a
    /// system lockdown policy (WDAC or AppLocker), as ThreadJob and ForEach-Object -Parallel do. A new runspace
    /// is FullLanguage unless told otherwise, so without this a constrained caller got FullLanguage workers.
    /// A policy that cannot be read counts as enforced (closed), and the caller is told so once.
    /// </summary>
    internal static class LanguageModePolicy
    {
        public static PSLanguageMode ForWorkersOf(PSCmdlet caller)
        {
            PSLanguageMode callerMode = caller.SessionState.LanguageMode;
            if (callerMode != PSLanguageMode.FullLanguage)
            {
                return callerMode;
            }

            switch (LockdownPolicy.State)
            {
                case LockdownState.Enforced:
                    return PSLanguageMode.ConstrainedLanguage;
                case LockdownState.Unreadable:
                    FallbackWarning.Once(LockdownPolicy.Name, caller);
                    return PSLanguageMode.ConstrainedLanguage;
                default:
                    return callerMode;
            }
        }
    }
}

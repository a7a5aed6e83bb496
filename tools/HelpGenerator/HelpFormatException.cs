using System;

namespace PSThreading.HelpGenerator
{
    /// <summary>A page that does not follow the schema: reported with its file and line so the author can fix it.</summary>
    internal sealed class HelpFormatException : Exception
    {
        public HelpFormatException(string path, int line, string message)
            : base($"{path}:{line + 1}: {message}")
        {
        }
    }
}

using System;
using System.Management.Automation.Host;
using PSThreading.Pool;

namespace PSThreading.Hosts
{
    /// <summary>One call of a worker's host UI that writes text: how to make it on a host UI, and what it shows.</summary>
    internal sealed class HostText
    {
        public HostText(Action<PSHostUserInterface> write, string shown, string? transcript)
        {
            Write = write;
            Shown = shown;
            Transcript = transcript;
        }

        public Action<PSHostUserInterface> Write { get; }

        /// <summary>The characters it puts on the console, line ends included: what the rows above a prompt are counted from.</summary>
        public string Shown { get; }

        /// <summary>The text for the caller's transcript; null for text that is not transcribed here.</summary>
        public string? Transcript { get; }
    }
}

using System;

namespace PSThreading.Engine
{
    /// <summary>
    /// One thing this module reads from PowerShell's or PSReadLine's insides (Get-ThreadingCapability): whether it
    /// works on this PowerShell, and what the module does instead when it does not.
    /// </summary>
    public sealed class ThreadingCapability
    {
        internal ThreadingCapability(string name, bool isAvailable, bool isNeeded, string fallback, string description)
        {
            Name = name;
            IsAvailable = isAvailable;
            IsNeeded = isNeeded;
            Fallback = fallback;
            Description = description;
        }

        /// <summary>The capability's name, as PSTHREADING_DISABLE_CAPABILITY and the warnings give it.</summary>
        public string Name { get; }

        /// <summary>True when the engine members it reads were found here and work.</summary>
        public bool IsAvailable { get; }

        /// <summary>False where the capability has nothing to do (PSReadLine not loaded, no lockdown policy off Windows).</summary>
        public bool IsNeeded { get; }

        /// <summary>True when the fallback is what the module does now: needed, and not available.</summary>
        public bool FallbackActive => IsNeeded && !IsAvailable;

        /// <summary>What the module does without it: closed (refuses), warned (says once what is lost) or slower.</summary>
        public string Fallback { get; }

        /// <summary>What it gives.</summary>
        public string Description { get; }

        public override string ToString() => Name;
    }
}

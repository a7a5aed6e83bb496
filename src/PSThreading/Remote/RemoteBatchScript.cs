using System;
using System.Collections;
using PSThreading.Processes;

namespace PSThreading.Remote
{
    /// <summary>What every batch of a call carries: the item block as text, -ArgumentList, <c>$using:</c> values, preferences.</summary>
    internal sealed class RemoteBatchScript
    {
        public RemoteBatchScript(string blockText, object[]? arguments, Hashtable? usingValues, bool piping, Hashtable? preferences)
        {
            BlockText = blockText;
            Arguments = arguments == null ? null : Array.ConvertAll(arguments, a => CrossProcessValues.ForNode(a)!);
            UsingValues = CrossProcessValues.ForNode(usingValues);
            CarriesBlocks = CrossProcessValues.NeedsReviving(Arguments ?? Array.Empty<object>(), UsingValues);
            Piping = piping;
            Preferences = preferences;
        }

        public string BlockText { get; }

        public object[]? Arguments { get; }

        public Hashtable? UsingValues { get; }

        /// <summary>True when a script block is among the arguments or $using: values: the node makes it a block again.</summary>
        public bool CarriesBlocks { get; }

        /// <summary>The block reads its item from the pipeline (a process block, a ValueFromPipeline parameter).</summary>
        public bool Piping { get; }

        /// <summary>Preference variables from common parameters (-Verbose, -WarningAction...), set for the items.</summary>
        public Hashtable? Preferences { get; }
    }
}

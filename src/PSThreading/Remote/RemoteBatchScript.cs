using System.Collections;

namespace PSThreading.Remote
{
    /// <summary>What every batch of a call carries: the item block as text, -ArgumentList, <c>$using:</c> values, preferences.</summary>
    internal sealed class RemoteBatchScript
    {
        public RemoteBatchScript(string blockText, object[]? arguments, Hashtable? usingValues, bool piping, Hashtable? preferences)
        {
            BlockText = blockText;
            Arguments = arguments;
            UsingValues = usingValues;
            Piping = piping;
            Preferences = preferences;
        }

        public string BlockText { get; }

        public object[]? Arguments { get; }

        public Hashtable? UsingValues { get; }

        /// <summary>The block reads its item from the pipeline (a process block, a ValueFromPipeline parameter).</summary>
        public bool Piping { get; }

        /// <summary>Preference variables from common parameters (-Verbose, -WarningAction...), set for the items.</summary>
        public Hashtable? Preferences { get; }
    }
}

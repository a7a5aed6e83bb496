using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSThreading.Engine;
using PSThreading.Pool;

namespace PSThreading.Values
{
    /// <summary>
    /// A caller's script block on its way to a worker, carried as its text: the block object itself belongs to
    /// the caller's runspace, and invoking it on a worker thread crashed pwsh or ran against the caller's
    /// session state. The worker turns it back into a block of its own with <see cref="Rebuild"/>.
    /// </summary>
    internal sealed class ScriptBlockText
    {
        public ScriptBlockText(ScriptBlock block)
        {
            Text = block.ToString();
        }

        public string Text { get; }

        /// <summary>
        /// A new block made from the text, owned by <paramref name="worker"/>. Runs on the worker's thread. The
        /// worker is made the thread's default runspace meanwhile, as during its invocations, so the block takes
        /// the worker's language mode, not the caller's.
        /// </summary>
        public ScriptBlock Rebuild(Runspace worker)
        {
            Runspace? previous = Runspace.DefaultRunspace;
            if (ReferenceEquals(previous, worker))
            {
                return ScriptBlock.Create(Text);
            }

            Runspace.DefaultRunspace = worker;
            try
            {
                return ScriptBlock.Create(Text);
            }
            finally
            {
                Runspace.DefaultRunspace = previous;
            }
        }

        public override string ToString() => Text;
    }
}

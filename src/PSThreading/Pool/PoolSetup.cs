using PSThreading.Runspaces;
using PSThreading.Values;

namespace PSThreading.Pool
{
    /// <summary>
    /// What each worker of a call does around its items: the caller's functions and modules it defines
    /// (-Function, -Module), the block it runs once before its first item (-Begin) and once after its last
    /// (-End), and whether the item block takes its item from the pipeline.
    /// </summary>
    internal sealed class PoolSetup
    {
        public static readonly PoolSetup None = new PoolSetup(null, null, null, false);

        public PoolSetup(WorkerScript? begin, WorkerScript? end, WorkerImports? imports, bool takesPipelineInput)
        {
            Begin = begin;
            End = end;
            Imports = imports;
            TakesPipelineInput = takesPipelineInput;
        }

        public WorkerScript? Begin { get; }

        public WorkerScript? End { get; }

        public WorkerImports? Imports { get; }

        /// <summary>The item block has a process block or a ValueFromPipeline parameter (see <see cref="PoolLoopScript"/>).</summary>
        public bool TakesPipelineInput { get; }
    }
}

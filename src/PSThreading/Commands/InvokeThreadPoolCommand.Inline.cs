using PSThreading.Inline;
using PSThreading.Runtime;

namespace PSThreading.Commands
{
    /// <summary>
    /// <c>$PSThreadingMode = 'Inline'</c>: no workers, the items run on this thread (see <see cref="InlinePool"/>),
    /// and are written as the workers' items are.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        private InlinePool? _inline;

        private InlinePool StartInline(WorkerScript script, object[]? arguments) => new InlinePool(
            InlineScript.Create(ScriptBlock, script, PreferenceOverrides()),
            arguments,
            _timeout,
            _itemTimeout,
            _watch,
            CancelToken,
            new InlinePoolOutput(WriteResult, WriteRecord, WriteCallTimeout));
    }
}

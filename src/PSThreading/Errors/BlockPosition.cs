using System;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Errors
{
    /// <summary>
    /// Where in the caller's file an error of a worker's block happened. The worker runs the block rebuilt from its
    /// text, so its positions count from the block's first line and name no file; the caller's block (its AST,
    /// read on the caller's pipeline thread) maps them back, so the error points at the line that failed, not at
    /// the call that ran the block, nor at the module's own wrapper script.
    /// </summary>
    internal static class BlockPosition
    {
        // The innermost frame, when it is the block itself: "at <ScriptBlock>, <No file>: line 3".
        private static readonly Regex s_blockFrame = new Regex(@"^at <ScriptBlock>, <No file>: line (\d+)", RegexOptions.CultureInvariant);

        /// <summary>The extent in the caller's block that <paramref name="record"/> was raised at; null when it cannot be told.</summary>
        public static IScriptExtent? Find(ErrorRecord record, WorkerScript script)
        {
            if (!(script.Origin is ScriptBlockAst origin))
            {
                return null;
            }

            InvocationInfo? raised = record.InvocationInfo;
            if (raised != null && string.IsNullOrEmpty(raised.ScriptName) && raised.ScriptLineNumber > 0 && !string.IsNullOrEmpty(raised.Line))
            {
                // A thrown error: its statement in the block's text, checked against the caller's line.
                IScriptExtent? thrown = FindStatement(origin, raised.ScriptLineNumber, raised.Line, raised.OffsetInLine);
                if (thrown != null)
                {
                    return thrown;
                }
            }

            // Write-Error: the record's invocation is the block's caller (the module's wrapper); its innermost frame says the line.
            string? stack = record.ScriptStackTrace;
            Match frame = stack == null ? Match.Empty : s_blockFrame.Match(stack);
            return frame.Success ? FindStatement(origin, int.Parse(frame.Groups[1].Value, CultureInfo.InvariantCulture), null, 0) : null;
        }

        private static IScriptExtent? FindStatement(ScriptBlockAst origin, int blockLine, string? workerLine, int workerColumn)
        {
            int fileLine = origin.Extent.StartLineNumber + blockLine - 1;
            if (fileLine > origin.Extent.EndLineNumber)
            {
                return null;
            }

            Ast? found = origin.Find(
                ast => ast.Extent.StartLineNumber == fileLine && (workerLine == null ? ast is StatementAst : Matches(ast.Extent, workerLine, workerColumn)),
                searchNestedScriptBlocks: true);
            return found?.Extent;
        }

        /// <summary>
        /// The worker's line is the file's line, or (the block's first line) its end after the opening brace; the
        /// column is counted from where the two lines meet.
        /// </summary>
        private static bool Matches(IScriptExtent extent, string workerLine, int workerColumn)
        {
            string fileLine = extent.StartScriptPosition.Line;
            if (!fileLine.EndsWith(workerLine, StringComparison.Ordinal))
            {
                return false;
            }

            int fileColumn = fileLine.Length - workerLine.Length + workerColumn;
            return extent.StartColumnNumber == fileColumn;
        }
    }
}

using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Text;
using PSThreading.Engine;
using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Terminal
{
    /// <summary>
    /// The prompt function's text for a redraw at an idle prompt, evaluated once per redraw. PSReadLine's
    /// InvokePrompt writes the prompt and then reads the cursor's place; .NET knows that place only after plain
    /// printable ASCII and line ends, and otherwise (colours, a '❯') asks the terminal, which at an idle prompt
    /// waits for the next key (seen in tmux: no line shown after the first redraw). So while InvokePrompt runs,
    /// the prompt function gives <see cref="Plain"/>: the same columns in plain ASCII; the real text is written
    /// over it afterwards.
    /// </summary>
    internal sealed class PromptText
    {
        private PromptText(string shown)
        {
            Shown = shown;
            Plain = ToPlain(shown);
        }

        /// <summary>What the prompt puts on the console: its host text (Write-Host in the prompt), then its value.</summary>
        public string Shown { get; }

        /// <summary><see cref="Shown"/> without escape sequences, each other character a '?' per column it takes.</summary>
        public string Plain { get; }

        /// <summary>True when the prompt is not plain ASCII: the real text must be written over the plain one.</summary>
        public bool NeedsOverwrite => !string.Equals(Shown, Plain, StringComparison.Ordinal);

        /// <summary>Runs the prompt function once on the prompt's thread (PS&gt; when there is none, as PSReadLine does).</summary>
        public static PromptText Evaluate()
        {
            var shown = new StringBuilder();
            string? value = null;
            try
            {
                using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    // 6>&1: host text the prompt writes comes back as records, to be counted and written by us.
                    ps.AddScript("prompt 6>&1");
                    foreach (PSObject? item in ps.Invoke())
                    {
                        if (item?.BaseObject is InformationRecord record && record.MessageData is HostInformationMessage message)
                        {
                            shown.Append(message.Message).Append(message.NoNewLine == true ? string.Empty : "\n");
                        }
                        else if (item?.BaseObject is string text)
                        {
                            value = text;
                        }
                    }
                }
            }
            catch (RuntimeException)
            {
                value = null;
            }

            shown.Append(string.IsNullOrEmpty(value) ? "PS>" : value);
            return new PromptText(shown.ToString());
        }

        /// <summary>
        /// Runs <paramref name="draw"/> with the global prompt function giving <see cref="Plain"/>, then puts the
        /// user's function back. A prompt that is no global function is left as it is.
        /// </summary>
        public void WhilePlain(Action draw)
        {
            ScriptBlock? saved = GlobalPrompt();
            if (saved == null)
            {
                draw();
                return;
            }

            SetGlobalPrompt(ScriptBlock.Create("'" + Plain.Replace("'", "''") + "'"));
            try
            {
                draw();
            }
            finally
            {
                SetGlobalPrompt(saved);
            }
        }

        private static ScriptBlock? GlobalPrompt()
        {
            using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                Collection<PSObject> found = ps.AddScript("${function:global:prompt}").Invoke();
                return found.Count == 1 ? found[0]?.BaseObject as ScriptBlock : null;
            }
        }

        private static void SetGlobalPrompt(ScriptBlock prompt)
        {
            using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddScript("param($prompt) ${function:global:prompt} = $prompt").AddArgument(prompt).Invoke();
            }
        }

        private static string ToPlain(string text)
        {
            var plain = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\u001b')
                {
                    i = ConsoleRows.EndOfEscape(text, i);
                }
                else if (c == '\n' || (c >= ' ' && c <= '~'))
                {
                    plain.Append(c);
                }
                else if (char.IsHighSurrogate(c) || ConsoleRows.IsWide(c))
                {
                    // An emoji (a surrogate pair) or a CJK character: two columns.
                    plain.Append("??");
                }
                else if (!char.IsControl(c) && !char.IsLowSurrogate(c))
                {
                    plain.Append('?');
                }
            }

            return plain.ToString();
        }
    }
}

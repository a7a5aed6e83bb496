using System.Collections.Generic;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace PSThreading.HelpGenerator
{
    /// <summary>Markdown to plain text: help is read in a console, where markup would only be noise.</summary>
    internal static class MarkdownText
    {
        private static readonly MarkdownPipeline s_pipeline = new MarkdownPipelineBuilder()
            .UseYamlFrontMatter()
            .UsePipeTables()
            .Build();

        public static MarkdownDocument Parse(string markdown) => Markdown.Parse(markdown, s_pipeline);

        /// <summary>The text of a run of inlines, markup dropped; soft line breaks become spaces.</summary>
        public static string Inline(ContainerInline? container)
        {
            if (container == null)
            {
                return string.Empty;
            }

            var text = new StringBuilder();
            AppendInline(text, container);
            return text.ToString().Trim();
        }

        private static void AppendInline(StringBuilder text, Inline inline)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? "\n" : " ");
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.ToString());
                    break;
                case HtmlInline html:
                    text.Append(html.Tag);
                    break;
                case ContainerInline container:
                    foreach (Inline child in container)
                    {
                        AppendInline(text, child);
                    }

                    break;
            }
        }

        /// <summary>The verbatim text of a code block, without its fences.</summary>
        public static string Code(LeafBlock block) => block.Lines.ToString().TrimEnd();

        /// <summary>
        /// A block as MAML paragraphs: a markdown paragraph is one, each list item is one (with its
        /// bullet, since MAML has no lists), a code block or table is one, kept line by line.
        /// </summary>
        public static IEnumerable<string> Paragraphs(Block block)
        {
            switch (block)
            {
                case ParagraphBlock paragraph:
                    yield return Inline(paragraph.Inline);
                    break;
                case HeadingBlock heading:
                    yield return Inline(heading.Inline);
                    break;
                case FencedCodeBlock or CodeBlock:
                    yield return Code((LeafBlock)block);
                    break;
                case ListBlock list:
                    int number = int.TryParse(list.OrderedStart, out int start) ? start : 1;
                    foreach (ListItemBlock item in list.OfType<ListItemBlock>())
                    {
                        string bullet = list.IsOrdered ? $"{number++}. " : "- ";
                        string body = string.Join(" ", item.SelectMany(Paragraphs));
                        yield return bullet + body;
                    }

                    break;
                case Table table:
                    yield return string.Join("\n", TableLines(table, 0));
                    break;
                case ContainerBlock container:
                    foreach (Block child in container)
                    {
                        foreach (string paragraph in Paragraphs(child))
                        {
                            yield return paragraph;
                        }
                    }

                    break;
            }
        }

        /// <summary>
        /// A pipe table as aligned plain-text columns under a dashed rule. When the table is wider than
        /// <paramref name="width"/>, the last column's cells wrap onto lines of their own, under it.
        /// </summary>
        public static IEnumerable<string> TableLines(Table table, int indent, int width = int.MaxValue)
        {
            List<List<string>> rows = table.OfType<TableRow>()
                .Select(row => row.OfType<TableCell>().Select(cell => string.Join(" ", cell.SelectMany(Paragraphs))).ToList())
                .ToList();
            int columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
            var widths = new int[columns];
            foreach (List<string> row in rows)
            {
                for (int i = 0; i < row.Count; i++)
                {
                    widths[i] = System.Math.Max(widths[i], row[i].Length);
                }
            }

            if (columns > 1)
            {
                int others = widths.Take(columns - 1).Sum() + 2 * (columns - 1);
                int room = width == int.MaxValue ? int.MaxValue : width - indent - others;
                widths[columns - 1] = System.Math.Min(widths[columns - 1], System.Math.Max(10, room));
            }

            string pad = new string(' ', indent);
            for (int r = 0; r < rows.Count; r++)
            {
                List<string> row = rows[r];
                string last = columns > 0 && row.Count == columns ? row[columns - 1] : string.Empty;
                List<string> lastLines = WrapWords(last, widths.Length == 0 ? 0 : widths[columns - 1]).ToList();
                for (int line = 0; line < lastLines.Count; line++)
                {
                    IEnumerable<string> cells = Enumerable.Range(0, columns - 1)
                        .Select(i => (line == 0 && i < row.Count ? row[i] : string.Empty).PadRight(widths[i]))
                        .Append(lastLines[line]);
                    yield return (pad + string.Join("  ", cells)).TrimEnd();
                }

                if (r == 0 && ((TableRow)table[0]).IsHeader)
                {
                    yield return pad + string.Join("  ", widths.Select(w => new string('-', w)));
                }
            }
        }

        /// <summary>
        /// Greedy word wrap: the first line holds up to <paramref name="firstWidth"/> characters, the
        /// others <paramref name="restWidth"/>. A word longer than a line stays whole rather than being cut.
        /// </summary>
        public static IEnumerable<string> WrapWords(string text, int firstWidth, int? restWidth = null)
        {
            int limit = firstWidth;
            var line = new StringBuilder();
            foreach (string word in text.Split(new[] { ' ' }, System.StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > limit)
                {
                    yield return line.ToString();
                    line.Clear();
                    limit = restWidth ?? firstWidth;
                }

                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                line.Append(word);
            }

            yield return line.ToString();
        }
    }
}

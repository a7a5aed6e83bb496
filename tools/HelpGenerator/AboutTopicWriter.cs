using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace PSThreading.HelpGenerator
{
    /// <summary>
    /// Turns an about_ page into the plain text Get-Help prints as it is: section titles in capitals at
    /// the margin, their text indented and wrapped to fit an 80-column console.
    /// </summary>
    internal static class AboutTopicWriter
    {
        public const int Width = 80;
        private const int Indent = 4;

        public static string Write(string markdown)
        {
            MarkdownDocument document = MarkdownText.Parse(markdown);
            var lines = new List<string>();
            var headings = new HashSet<int>();
            foreach (Block block in document)
            {
                switch (block)
                {
                    case YamlFrontMatterBlock:
                        break;
                    case HeadingBlock { Level: 1 } title:
                        AddBlankLine(lines);
                        headings.Add(lines.Count);
                        lines.Add("TOPIC");
                        lines.Add(new string(' ', Indent) + MarkdownText.Inline(title.Inline));
                        break;
                    case HeadingBlock { Level: 2 } section:
                        AddBlankLine(lines);
                        headings.Add(lines.Count);
                        lines.Add(MarkdownText.Inline(section.Inline).ToUpperInvariant());
                        break;
                    case HeadingBlock subsection:
                        AddBlankLine(lines);
                        headings.Add(lines.Count);
                        lines.Add(new string(' ', Indent) + MarkdownText.Inline(subsection.Inline));
                        break;
                    default:
                        AddBlankLine(lines);
                        lines.AddRange(BlockLines(block, Indent));
                        break;
                }
            }

            // Headings are followed directly by their text, not by a blank line.
            var text = new StringBuilder();
            for (int i = 0; i < lines.Count; i++)
            {
                bool blankAfterHeading = lines[i].Length == 0 && headings.Contains(i - 1);
                if (!blankAfterHeading && !(i == 0 && lines[i].Length == 0))
                {
                    text.Append(lines[i]).Append('\n');
                }
            }

            return text.ToString();
        }

        private static void AddBlankLine(List<string> lines)
        {
            if (lines.Count > 0 && lines[lines.Count - 1].Length > 0)
            {
                lines.Add(string.Empty);
            }
        }

        private static IEnumerable<string> BlockLines(Block block, int indent)
        {
            switch (block)
            {
                case FencedCodeBlock or CodeBlock:
                    // Code keeps its own layout; it sits one step further in so it stands out from prose.
                    return MarkdownText.Code((LeafBlock)block).Split('\n')
                        .Select(line => (new string(' ', indent + Indent) + line.TrimEnd('\r')).TrimEnd());
                case Table table:
                    return MarkdownText.TableLines(table, indent, Width);
                case ListBlock list:
                    return ListLines(list, indent);
                case QuoteBlock quote:
                    return quote.SelectMany(child => BlockLines(child, indent + Indent));
                default:
                    return MarkdownText.Paragraphs(block).SelectMany(p => Wrap(p, indent, indent));
            }
        }

        private static IEnumerable<string> ListLines(ListBlock list, int indent)
        {
            int number = int.TryParse(list.OrderedStart, out int start) ? start : 1;
            foreach (ListItemBlock item in list.OfType<ListItemBlock>())
            {
                string bullet = list.IsOrdered ? $"{number++}. " : "- ";
                bool first = true;
                foreach (Block child in item)
                {
                    if (first && child is ParagraphBlock paragraph)
                    {
                        foreach (string line in Wrap(bullet + MarkdownText.Inline(paragraph.Inline), indent, indent + bullet.Length))
                        {
                            yield return line;
                        }
                    }
                    else
                    {
                        foreach (string line in BlockLines(child, indent + bullet.Length))
                        {
                            yield return line;
                        }
                    }

                    first = false;
                }
            }
        }

        /// <summary>Wraps text to the console width, each line indented; hard line breaks are kept.</summary>
        internal static IEnumerable<string> Wrap(string text, int firstIndent, int restIndent)
        {
            foreach (string hardLine in text.Split('\n'))
            {
                int indent = firstIndent;
                foreach (string line in MarkdownText.WrapWords(hardLine, Width - firstIndent, Width - restIndent))
                {
                    yield return new string(' ', indent) + line;
                    indent = restIndent;
                }

                firstIndent = restIndent;
            }
        }
    }
}

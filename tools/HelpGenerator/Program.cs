using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PSThreading.HelpGenerator
{
    /// <summary>
    /// HelpGenerator &lt;docs folder&gt; &lt;output folder&gt;: writes one MAML file per 'external help file'
    /// named by the command pages, and an about_*.help.txt per about page. The module page (no
    /// 'external help file') is documentation for readers, not Get-Help, and is skipped.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: HelpGenerator <docs folder> <output folder>");
                return 2;
            }

            try
            {
                foreach (string written in Generate(args[0], args[1]))
                {
                    Console.WriteLine("    help: " + written);
                }

                return 0;
            }
            catch (Exception ex) when (ex is HelpFormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("HelpGenerator: " + ex.Message);
                return 1;
            }
        }

        /// <summary>Generates every help file and returns the paths written.</summary>
        public static IReadOnlyList<string> Generate(string docsFolder, string outputFolder)
        {
            Directory.CreateDirectory(outputFolder);
            var written = new List<string>();
            var byHelpFile = new SortedDictionary<string, List<CommandHelp>>(StringComparer.OrdinalIgnoreCase);

            foreach (string page in Directory.GetFiles(docsFolder, "*.md").OrderBy(p => p, StringComparer.Ordinal))
            {
                string name = Path.GetFileNameWithoutExtension(page);
                if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                {
                    string target = Path.Combine(outputFolder, name + ".help.txt");
                    File.WriteAllText(target, AboutTopicWriter.Write(File.ReadAllText(page)), new UTF8Encoding(false));
                    written.Add(target);
                    continue;
                }

                string markdown = File.ReadAllText(page);
                Dictionary<string, string> front = CommandPageParser.FrontMatter(MarkdownText.Parse(markdown), page);
                if (!front.TryGetValue("external help file", out string? helpFile) || helpFile.Length == 0)
                {
                    continue;
                }

                CommandHelp command = CommandPageParser.Parse(markdown, page);
                if (!string.Equals(command.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    throw new HelpFormatException(page, 0, $"the page is named '{name}' but documents '{command.Name}'.");
                }

                if (!byHelpFile.TryGetValue(helpFile, out List<CommandHelp>? commands))
                {
                    byHelpFile[helpFile] = commands = new List<CommandHelp>();
                }

                commands.Add(command);
            }

            foreach (KeyValuePair<string, List<CommandHelp>> file in byHelpFile)
            {
                string target = Path.Combine(outputFolder, file.Key);
                var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false) };
                using (XmlWriter writer = XmlWriter.Create(target, settings))
                {
                    MamlWriter.Write(file.Value).Save(writer);
                }

                written.Add(target);
            }

            return written;
        }
    }
}

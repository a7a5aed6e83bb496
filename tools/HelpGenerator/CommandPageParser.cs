using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace PSThreading.HelpGenerator
{
    /// <summary>
    /// Reads one cmdlet page written in PlatyPS's markdown schema. The schema is strict on purpose: a
    /// heading or yaml key that is misspelt would silently drop help, so it is an error instead.
    /// </summary>
    internal sealed class CommandPageParser
    {
        private static readonly IDeserializer s_yaml = new DeserializerBuilder().Build();

        private static readonly HashSet<string> s_knownSections = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS",
        };

        private static readonly HashSet<string> s_parameterKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input",
            "Accept wildcard characters", "Applicable",
        };

        private readonly string _path;

        private CommandPageParser(string path)
        {
            _path = path;
        }

        public static CommandHelp ParseFile(string path) => Parse(File.ReadAllText(path), path);

        public static CommandHelp Parse(string markdown, string path) => new CommandPageParser(path).Read(markdown);

        /// <summary>The front matter of a page as key/value pairs; empty when it has none.</summary>
        public static Dictionary<string, string> FrontMatter(MarkdownDocument document, string path)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (document.FirstOrDefault() is not YamlFrontMatterBlock front)
            {
                return result;
            }

            // The block's lines include the --- fences; YamlDotNet reads the first document between them.
            Dictionary<string, string?>? pairs;
            try
            {
                pairs = s_yaml.Deserialize<Dictionary<string, string?>>(StripFences(front.Lines.ToString()));
            }
            catch (YamlException ex)
            {
                throw new HelpFormatException(path, front.Line, "front matter is not valid yaml: " + ex.Message);
            }

            foreach (KeyValuePair<string, string?> pair in pairs ?? new Dictionary<string, string?>())
            {
                result[pair.Key] = pair.Value ?? string.Empty;
            }

            return result;
        }

        private static string StripFences(string yaml) =>
            string.Join("\n", yaml.Split('\n').Where(line => line.TrimEnd() != "---"));

        private CommandHelp Read(string markdown)
        {
            MarkdownDocument document = MarkdownText.Parse(markdown);
            Dictionary<string, string> front = FrontMatter(document, _path);

            HeadingBlock? title = document.OfType<HeadingBlock>().FirstOrDefault(h => h.Level == 1);
            if (title == null)
            {
                throw new HelpFormatException(_path, 0, "a command page starts with '# <Command-Name>'.");
            }

            var help = new CommandHelp(MarkdownText.Inline(title.Inline));
            help.ExternalHelpFile = front.TryGetValue("external help file", out string? file) ? file : string.Empty;

            foreach ((HeadingBlock heading, List<Block> body) in Sections(document, 2))
            {
                string name = MarkdownText.Inline(heading.Inline).Trim();
                if (!s_knownSections.Contains(name))
                {
                    throw new HelpFormatException(_path, heading.Line, $"unknown section '## {name}'.");
                }

                switch (name.ToUpperInvariant())
                {
                    case "SYNOPSIS":
                        help.Synopsis = string.Join(" ", body.SelectMany(MarkdownText.Paragraphs));
                        break;
                    case "SYNTAX":
                        ReadSyntax(help, body);
                        break;
                    case "DESCRIPTION":
                        help.Description.AddRange(body.SelectMany(MarkdownText.Paragraphs));
                        break;
                    case "EXAMPLES":
                        ReadExamples(help, body);
                        break;
                    case "PARAMETERS":
                        ReadParameters(help, body);
                        break;
                    case "INPUTS":
                        help.Inputs.AddRange(ReadTypes(body));
                        break;
                    case "OUTPUTS":
                        help.Outputs.AddRange(ReadTypes(body));
                        break;
                    case "NOTES":
                        help.Notes.AddRange(body.SelectMany(MarkdownText.Paragraphs));
                        break;
                    case "RELATED LINKS":
                        help.RelatedLinks.AddRange(ReadLinks(body));
                        break;
                }
            }

            if (string.IsNullOrWhiteSpace(help.Synopsis))
            {
                throw new HelpFormatException(_path, title.Line, $"'{help.Name}' has no '## SYNOPSIS'.");
            }

            return help;
        }

        /// <summary>Splits blocks at headings of one level: each heading with the blocks up to the next one.</summary>
        internal static IEnumerable<(HeadingBlock Heading, List<Block> Body)> Sections(IEnumerable<Block> blocks, int level)
        {
            HeadingBlock? current = null;
            var body = new List<Block>();
            foreach (Block block in blocks)
            {
                if (block is HeadingBlock heading && heading.Level <= level)
                {
                    if (current != null)
                    {
                        yield return (current, body);
                    }

                    current = heading.Level == level ? heading : null;
                    body = new List<Block>();
                }
                else if (current != null)
                {
                    body.Add(block);
                }
            }

            if (current != null)
            {
                yield return (current, body);
            }
        }

        private static void ReadSyntax(CommandHelp help, List<Block> body)
        {
            foreach ((HeadingBlock heading, List<Block> _) in Sections(body, 3))
            {
                string text = MarkdownText.Inline(heading.Inline).Trim();
                bool isDefault = text.EndsWith("(Default)", StringComparison.OrdinalIgnoreCase);
                string name = isDefault ? text.Substring(0, text.Length - "(Default)".Length).Trim() : text;
                help.SyntaxSets.Add(new SyntaxSet(name == "__AllParameterSets" ? SyntaxSet.AllSets : name, isDefault));
            }

            // A command with a single parameter set has no set headings, only its syntax block.
            if (help.SyntaxSets.Count == 0)
            {
                help.SyntaxSets.Add(new SyntaxSet(SyntaxSet.AllSets, IsDefault: true));
            }
        }

        private void ReadExamples(CommandHelp help, List<Block> body)
        {
            foreach ((HeadingBlock heading, List<Block> blocks) in Sections(body, 3))
            {
                var example = new ExampleHelp(MarkdownText.Inline(heading.Inline));
                foreach (Block block in blocks)
                {
                    if (block is FencedCodeBlock code)
                    {
                        example.Code.Add(MarkdownText.Code(code));
                    }
                    else
                    {
                        example.Remarks.AddRange(MarkdownText.Paragraphs(block));
                    }
                }

                if (example.Code.Count == 0)
                {
                    throw new HelpFormatException(_path, heading.Line, $"example '{example.Title}' has no code block.");
                }

                help.Examples.Add(example);
            }
        }

        private void ReadParameters(CommandHelp help, List<Block> body)
        {
            foreach ((HeadingBlock heading, List<Block> blocks) in Sections(body, 3))
            {
                string text = MarkdownText.Inline(heading.Inline).Trim();
                if (string.Equals(text, "CommonParameters", StringComparison.OrdinalIgnoreCase))
                {
                    help.SupportsCommonParameters = true;
                    continue;
                }

                if (!text.StartsWith("-", StringComparison.Ordinal) || text.Length < 2)
                {
                    throw new HelpFormatException(_path, heading.Line, $"a parameter heading is '### -Name', not '### {text}'.");
                }

                var parameter = new ParameterHelp(text.Substring(1));
                foreach (Block block in blocks)
                {
                    if (block is FencedCodeBlock code && string.Equals(code.Info, "yaml", StringComparison.OrdinalIgnoreCase))
                    {
                        parameter.Usages.Add(ReadUsage(code, parameter.Name));
                    }
                    else
                    {
                        parameter.Description.AddRange(MarkdownText.Paragraphs(block));
                    }
                }

                if (parameter.Usages.Count == 0)
                {
                    throw new HelpFormatException(_path, heading.Line, $"parameter '-{parameter.Name}' has no yaml block.");
                }

                help.Parameters.Add(parameter);
            }
        }

        private ParameterUsage ReadUsage(FencedCodeBlock code, string parameterName)
        {
            Dictionary<string, string?>? fields;
            try
            {
                fields = s_yaml.Deserialize<Dictionary<string, string?>>(MarkdownText.Code(code));
            }
            catch (YamlException ex)
            {
                throw new HelpFormatException(_path, code.Line, $"the yaml of '-{parameterName}' is not valid: {ex.Message}");
            }

            fields ??= new Dictionary<string, string?>();
            foreach (string key in fields.Keys.Where(k => !s_parameterKeys.Contains(k)))
            {
                throw new HelpFormatException(_path, code.Line, $"the yaml of '-{parameterName}' has an unknown key '{key}'.");
            }

            string Field(string key, string fallback)
            {
                foreach (KeyValuePair<string, string?> pair in fields!)
                {
                    if (string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(pair.Value))
                    {
                        return pair.Value!.Trim();
                    }
                }

                return fallback;
            }

            var usage = new ParameterUsage
            {
                Type = Field("Type", string.Empty),
                Aliases = Field("Aliases", "None"),
                Required = string.Equals(Field("Required", "False"), "True", StringComparison.OrdinalIgnoreCase),
                Position = Field("Position", "Named"),
                DefaultValue = Field("Default value", "None"),
                PipelineInput = Field("Accept pipeline input", "False"),
                AcceptsWildcards = string.Equals(Field("Accept wildcard characters", "False"), "True", StringComparison.OrdinalIgnoreCase),
            };
            usage.ParameterSets.AddRange(Field("Parameter Sets", SyntaxSet.AllSets)
                .Split(',').Select(s => s.Trim()).Where(s => s.Length > 0));

            if (usage.Type.Length == 0)
            {
                throw new HelpFormatException(_path, code.Line, $"the yaml of '-{parameterName}' has no 'Type'.");
            }

            if (usage.Position != "Named" && !int.TryParse(usage.Position, out _))
            {
                throw new HelpFormatException(_path, code.Line, $"'-{parameterName}' Position is a number or 'Named', not '{usage.Position}'.");
            }

            return usage;
        }

        private static IEnumerable<TypeHelp> ReadTypes(List<Block> body)
        {
            foreach ((HeadingBlock heading, List<Block> blocks) in Sections(body, 3))
            {
                var type = new TypeHelp(MarkdownText.Inline(heading.Inline));
                type.Description.AddRange(blocks.SelectMany(MarkdownText.Paragraphs));
                yield return type;
            }
        }

        private static IEnumerable<RelatedLink> ReadLinks(List<Block> body)
        {
            // Links live in the inlines of leaf blocks (paragraphs, list items); block descendants miss them.
            IEnumerable<LeafBlock> leaves = body.OfType<LeafBlock>()
                .Concat(body.OfType<ContainerBlock>().SelectMany(c => c.Descendants<LeafBlock>()));
            foreach (LeafBlock leaf in leaves)
            {
                foreach (LinkInline link in leaf.Inline?.Descendants<LinkInline>() ?? Enumerable.Empty<LinkInline>())
                {
                    yield return new RelatedLink(MarkdownText.Inline(link), link.Url ?? string.Empty);
                }
            }
        }
    }
}

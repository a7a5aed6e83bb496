using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace PSThreading.HelpGenerator
{
    /// <summary>
    /// Writes command help as MAML, the XML that Get-Help reads for compiled cmdlets. The element
    /// names and attribute spellings are the ones Get-Help's formatter looks up: a near miss shows nothing.
    /// </summary>
    internal static class MamlWriter
    {
        private static readonly XNamespace s_msh = "http://msh";
        private static readonly XNamespace s_maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace s_command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace s_dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        public static XDocument Write(IEnumerable<CommandHelp> commands)
        {
            var root = new XElement(s_msh + "helpItems", new XAttribute("schema", "maml"));
            foreach (CommandHelp command in commands)
            {
                root.Add(Command(command));
            }

            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        private static XElement Command(CommandHelp help)
        {
            int dash = help.Name.IndexOf('-');
            string verb = dash > 0 ? help.Name.Substring(0, dash) : help.Name;
            string noun = dash > 0 ? help.Name.Substring(dash + 1) : string.Empty;

            return new XElement(s_command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", s_maml),
                new XAttribute(XNamespace.Xmlns + "command", s_command),
                new XAttribute(XNamespace.Xmlns + "dev", s_dev),
                new XElement(s_command + "details",
                    new XElement(s_command + "name", help.Name),
                    new XElement(s_command + "verb", verb),
                    new XElement(s_command + "noun", noun),
                    Description(new[] { help.Synopsis })),
                Description(help.Description),
                new XElement(s_command + "syntax", help.SyntaxSets.Select(set => SyntaxItem(help, set))),
                new XElement(s_command + "parameters", help.Parameters.Select(p => Parameter(p, p.Usages[0], inSyntax: false))),
                new XElement(s_command + "inputTypes", help.Inputs.Select(t => TypeEntry("inputType", t))),
                new XElement(s_command + "returnValues", help.Outputs.Select(t => TypeEntry("returnValue", t))),
                new XElement(s_maml + "alertSet",
                    new XElement(s_maml + "alert", Paragraphs(help.Notes))),
                new XElement(s_command + "examples", help.Examples.Select(Example)),
                new XElement(s_command + "relatedLinks", help.RelatedLinks.Select(Link)));
        }

        private static XElement SyntaxItem(CommandHelp help, SyntaxSet set)
        {
            bool onlySet = help.SyntaxSets.Count == 1;
            var members = new List<(ParameterHelp Parameter, ParameterUsage Usage, int Order)>();
            for (int i = 0; i < help.Parameters.Count; i++)
            {
                ParameterHelp parameter = help.Parameters[i];
                ParameterUsage? usage = parameter.UsageFor(set.Name) ?? (onlySet ? parameter.Usages[0] : null);
                if (usage != null)
                {
                    members.Add((parameter, usage, i));
                }
            }

            // As PowerShell prints syntax: positional parameters by position, then mandatory, then the rest.
            IEnumerable<XElement> parameters = members
                .OrderBy(m => int.TryParse(m.Usage.Position, out int position) ? position : int.MaxValue)
                .ThenBy(m => m.Usage.Required ? 0 : 1)
                .ThenBy(m => m.Order)
                .Select(m => Parameter(m.Parameter, m.Usage, inSyntax: true));

            return new XElement(s_command + "syntaxItem",
                new XElement(s_maml + "name", help.Name),
                parameters);
        }

        private static XElement Parameter(ParameterHelp parameter, ParameterUsage usage, bool inSyntax)
        {
            string position = usage.Position == "Named" ? "named" : usage.Position;
            var element = new XElement(s_command + "parameter",
                new XAttribute("required", usage.Required ? "true" : "false"),
                new XAttribute("variableLength", "true"),
                new XAttribute("globbing", usage.AcceptsWildcards ? "true" : "false"),
                new XAttribute("pipelineInput", usage.PipelineInput),
                new XAttribute("position", position),
                new XAttribute("aliases", usage.Aliases),
                new XElement(s_maml + "name", parameter.Name),
                Description(parameter.Description));

            // Get-Help prints a value placeholder for whatever has a parameterValue: a switch in the
            // syntax line must have none, or it reads '[-Daemon <SwitchParameter>]'.
            if (!(parameter.IsSwitch && inSyntax))
            {
                element.Add(new XElement(s_command + "parameterValue",
                    new XAttribute("required", parameter.IsSwitch ? "false" : "true"),
                    new XAttribute("variableLength", "false"),
                    usage.Type));
            }

            element.Add(
                new XElement(s_dev + "type",
                    new XElement(s_maml + "name", usage.Type),
                    new XElement(s_maml + "uri")),
                new XElement(s_dev + "defaultValue", usage.DefaultValue));
            return element;
        }

        private static XElement TypeEntry(string elementName, TypeHelp type) =>
            new XElement(s_command + elementName,
                new XElement(s_dev + "type",
                    new XElement(s_maml + "name", type.TypeName)),
                Description(type.Description));

        private static XElement Example(ExampleHelp example, int index)
        {
            string title = example.Title.StartsWith("Example", StringComparison.OrdinalIgnoreCase)
                ? example.Title
                : $"Example {index + 1}: {example.Title}";
            return new XElement(s_command + "example",
                new XElement(s_maml + "title", DashedTitle(title)),
                new XElement(s_dev + "code", string.Join("\n\n", example.Code)),
                // The trailing empty paragraph is the blank line that keeps one example off the next's title.
                new XElement(s_dev + "remarks", Paragraphs(example.Remarks), new XElement(s_maml + "para")));
        }

        /// <summary>
        /// Dashes set an example's title apart in console text; Get-Help prints the title as it is, so the
        /// dashes shrink with a long title to keep the line within 76 columns (80 less the indent).
        /// </summary>
        internal static string DashedTitle(string title)
        {
            const int lineWidth = 76;
            int dashes = Math.Max(2, Math.Min(26, (lineWidth - title.Length - 2) / 2));
            string side = new string('-', dashes);
            return $"{side} {title} {side}";
        }

        private static XElement Link(RelatedLink link)
        {
            // Get-Help -Online opens the uri; a relative .md path means nothing outside the repository.
            bool absolute = Uri.TryCreate(link.Uri, UriKind.Absolute, out Uri? uri) && (uri.Scheme == "http" || uri.Scheme == "https");
            return new XElement(s_maml + "navigationLink",
                new XElement(s_maml + "linkText", link.Text),
                new XElement(s_maml + "uri", absolute ? link.Uri : string.Empty));
        }

        private static XElement Description(IEnumerable<string> paragraphs) =>
            new XElement(s_maml + "description", Paragraphs(paragraphs));

        private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs)
        {
            List<XElement> result = paragraphs.Where(p => p.Length > 0).Select(p => new XElement(s_maml + "para", p)).ToList();
            if (result.Count == 0)
            {
                result.Add(new XElement(s_maml + "para"));
            }

            return result;
        }
    }
}

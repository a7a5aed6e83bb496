using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace PSThreading.HelpGenerator.Tests
{
    public class MamlWriterTests
    {
        private static readonly XNamespace s_maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace s_command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace s_dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        private static XElement Command() =>
            MamlWriter.Write(new[] { CommandPageParser.Parse(SamplePages.TwoSets, "Get-Widget.md") })
                .Root!.Element(s_command + "command")!;

        private static string[] Names(XElement parent) =>
            parent.Elements(s_command + "parameter").Select(p => (string)p.Element(s_maml + "name")!).ToArray();

        [Fact]
        public void RootIsMamlHelpItems()
        {
            XDocument document = MamlWriter.Write(new[] { CommandPageParser.Parse(SamplePages.TwoSets, "Get-Widget.md") });

            Assert.Equal(XName.Get("helpItems", "http://msh"), document.Root!.Name);
            Assert.Equal("maml", (string?)document.Root.Attribute("schema"));
        }

        [Fact]
        public void DetailsCarryNameVerbNounAndSynopsis()
        {
            XElement details = Command().Element(s_command + "details")!;

            Assert.Equal("Get-Widget", (string?)details.Element(s_command + "name"));
            Assert.Equal("Get", (string?)details.Element(s_command + "verb"));
            Assert.Equal("Widget", (string?)details.Element(s_command + "noun"));
            Assert.Equal("Gets widgets by name or by id.", details.Element(s_maml + "description")!.Value);
        }

        [Fact]
        public void OneSyntaxItemPerSetWithOnlyItsParametersPositionalFirst()
        {
            XElement[] items = Command().Element(s_command + "syntax")!.Elements(s_command + "syntaxItem").ToArray();

            Assert.Equal(2, items.Length);
            Assert.Equal(new[] { "Name", "Force" }, Names(items[0]));
            Assert.Equal(new[] { "Id", "Force" }, Names(items[1]));
        }

        [Fact]
        public void ParameterAttributesAreWhatGetHelpPrints()
        {
            XElement id = Command().Element(s_command + "parameters")!.Elements(s_command + "parameter")
                .Single(p => (string?)p.Element(s_maml + "name") == "Id");

            Assert.Equal("true", (string?)id.Attribute("required"));
            Assert.Equal("named", (string?)id.Attribute("position"));
            Assert.Equal("True (ByPropertyName, ByValue)", (string?)id.Attribute("pipelineInput"));
            Assert.Equal("WidgetId", (string?)id.Attribute("aliases"));
            Assert.Equal("false", (string?)id.Attribute("globbing"));
            Assert.Equal("Int32[]", (string?)id.Element(s_command + "parameterValue"));
            Assert.Equal("Int32[]", (string?)id.Element(s_dev + "type")!.Element(s_maml + "name"));
            Assert.Equal("None", (string?)id.Element(s_dev + "defaultValue"));
        }

        [Fact]
        public void SwitchHasNoValuePlaceholderInSyntaxButKeepsItsTypeInParameters()
        {
            XElement command = Command();
            XElement inSyntax = command.Element(s_command + "syntax")!.Descendants(s_command + "parameter")
                .First(p => (string?)p.Element(s_maml + "name") == "Force");
            XElement inParameters = command.Element(s_command + "parameters")!.Elements(s_command + "parameter")
                .Single(p => (string?)p.Element(s_maml + "name") == "Force");

            Assert.Null(inSyntax.Element(s_command + "parameterValue"));
            Assert.Equal("SwitchParameter", (string?)inParameters.Element(s_command + "parameterValue"));
            Assert.Equal("false", (string?)inParameters.Element(s_command + "parameterValue")!.Attribute("required"));
        }

        [Fact]
        public void ExamplesHaveDashedTitlesCodeAndRemarks()
        {
            XElement[] examples = Command().Element(s_command + "examples")!.Elements(s_command + "example").ToArray();

            Assert.Equal(2, examples.Length);
            string title = (string)examples[0].Element(s_maml + "title")!;
            Assert.Matches("^-+ Example 1: All widgets -+$", title);
            Assert.Equal("Get-Widget", (string?)examples[0].Element(s_dev + "code"));
            Assert.Equal("Gets every widget.", examples[0].Element(s_dev + "remarks")!.Elements(s_maml + "para").First().Value);
        }

        [Theory]
        [InlineData("Example 1: short")]
        [InlineData("Example 12: a title so long that the dashes around it would push the line past the console")]
        public void DashedTitlesStayWithinTheConsoleWhenTheyCan(string title)
        {
            string dashed = MamlWriter.DashedTitle(title);

            Assert.Contains(title, dashed);
            Assert.True(dashed.Length <= 76 || dashed.Length == title.Length + 6);
            Assert.StartsWith("--", dashed);
        }

        [Fact]
        public void InputsOutputsAndNotes()
        {
            XElement command = Command();

            Assert.Equal("System.String[]", command.Descendants(s_command + "inputType").Single().Element(s_dev + "type")!.Value);
            Assert.Equal("Sample.Widget", command.Descendants(s_command + "returnValue").Single().Element(s_dev + "type")!.Value);
            Assert.Equal("Widgets are cached.", command.Element(s_maml + "alertSet")!.Value);
        }

        [Fact]
        public void OnlyWebLinksKeepTheirUri()
        {
            XElement[] links = Command().Element(s_command + "relatedLinks")!.Elements(s_maml + "navigationLink").ToArray();

            Assert.Equal(new[] { "Set-Widget", "Online" }, links.Select(l => (string)l.Element(s_maml + "linkText")!));
            Assert.Equal(new[] { string.Empty, "https://example.invalid/widgets" }, links.Select(l => (string)l.Element(s_maml + "uri")!));
        }
    }
}

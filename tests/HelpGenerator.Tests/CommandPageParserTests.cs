using System.Linq;
using Xunit;

namespace PSThreading.HelpGenerator.Tests
{
    public class CommandPageParserTests
    {
        private static CommandHelp Parse(string markdown) => CommandPageParser.Parse(markdown, "Get-Widget.md");

        [Fact]
        public void ReadsNameSynopsisAndHelpFileWithoutMarkup()
        {
            CommandHelp help = Parse(SamplePages.TwoSets);

            Assert.Equal("Get-Widget", help.Name);
            Assert.Equal("Sample.dll-Help.xml", help.ExternalHelpFile);
            Assert.Equal("Gets widgets by name or by id.", help.Synopsis);
        }

        [Fact]
        public void DescriptionJoinsSoftLineBreaksAndKeepsListItemsApart()
        {
            CommandHelp help = Parse(SamplePages.TwoSets);

            Assert.Equal(new[] { "First paragraph over two lines.", "- one item", "- another item" }, help.Description);
        }

        [Fact]
        public void SyntaxHeadingsBecomeParameterSetsWithTheDefaultMarked()
        {
            CommandHelp help = Parse(SamplePages.TwoSets);

            Assert.Equal(new[] { new SyntaxSet("Name", true), new SyntaxSet("Id", false) }, help.SyntaxSets);
        }

        [Fact]
        public void SyntaxWithoutHeadingsIsOneSetHoldingEveryParameter()
        {
            string page = SamplePages.TwoSets.Replace("### Name (Default)\n", string.Empty).Replace("### Id\n", string.Empty);

            CommandHelp help = Parse(page);

            Assert.Equal(new[] { new SyntaxSet(SyntaxSet.AllSets, true) }, help.SyntaxSets);
        }

        [Fact]
        public void ParameterYamlFieldsAreRead()
        {
            ParameterHelp id = Parse(SamplePages.TwoSets).Parameters.Single(p => p.Name == "Id");
            ParameterUsage usage = Assert.Single(id.Usages);

            Assert.Equal("Int32[]", usage.Type);
            Assert.Equal(new[] { "Id" }, usage.ParameterSets);
            Assert.Equal("WidgetId", usage.Aliases);
            Assert.True(usage.Required);
            Assert.Equal("Named", usage.Position);
            Assert.Equal("True (ByPropertyName, ByValue)", usage.PipelineInput);
            Assert.False(usage.AcceptsWildcards);
            Assert.Equal(new[] { "Ids to match." }, id.Description);
        }

        [Fact]
        public void EmptyYamlFieldsTakeTheirDefaults()
        {
            ParameterUsage name = Parse(SamplePages.TwoSets).Parameters.Single(p => p.Name == "Name").Usages[0];

            Assert.Equal("None", name.Aliases);
            Assert.Equal("0", name.Position);
            Assert.True(name.AcceptsWildcards);
        }

        [Fact]
        public void SwitchesAreRecognisedAndAllSetsApplyEverywhere()
        {
            ParameterHelp force = Parse(SamplePages.TwoSets).Parameters.Single(p => p.Name == "Force");

            Assert.True(force.IsSwitch);
            Assert.NotNull(force.UsageFor("Name"));
            Assert.NotNull(force.UsageFor("Id"));
        }

        [Fact]
        public void CommonParametersHeadingIsAFlagNotAParameter()
        {
            CommandHelp help = Parse(SamplePages.TwoSets);

            Assert.True(help.SupportsCommonParameters);
            Assert.Equal(new[] { "Name", "Id", "Force" }, help.Parameters.Select(p => p.Name));
        }

        [Fact]
        public void ExamplesKeepTitleCodeAndRemarks()
        {
            CommandHelp help = Parse(SamplePages.TwoSets);

            Assert.Equal(2, help.Examples.Count);
            Assert.Equal("Example 1: All widgets", help.Examples[0].Title);
            Assert.Equal(new[] { "Get-Widget" }, help.Examples[0].Code);
            Assert.Equal(new[] { "Gets every widget." }, help.Examples[0].Remarks);
            Assert.Empty(help.Examples[1].Remarks);
        }

        [Fact]
        public void InputsOutputsNotesAndLinksAreRead()
        {
            CommandHelp help = Parse(SamplePages.TwoSets);

            Assert.Equal("System.String[]", Assert.Single(help.Inputs).TypeName);
            Assert.Equal(new[] { "A widget." }, Assert.Single(help.Outputs).Description);
            Assert.Equal(new[] { "Widgets are cached." }, help.Notes);
            Assert.Equal(
                new[] { new RelatedLink("Set-Widget", "Set-Widget.md"), new RelatedLink("Online", "https://example.invalid/widgets") },
                help.RelatedLinks);
        }

        [Theory]
        [InlineData("## SYNOPSIS\nGets widgets by `name` or by id.\n", "", "has no '## SYNOPSIS'")]
        [InlineData("## NOTES\n", "## NOTE\n", "unknown section '## NOTE'")]
        [InlineData("Accept wildcard characters: True\n", "Accept wildcards: True\n", "unknown key 'Accept wildcards'")]
        [InlineData("Position: 0\n", "Position: first\n", "Position is a number or 'Named'")]
        [InlineData("### -Force\n", "### Force\n", "'### -Name', not '### Force'")]
        [InlineData("```powershell\nGet-Widget -Id 1\n```\n", "", "has no code block")]
        public void SchemaMistakesAreErrorsNamingFileAndLine(string find, string replace, string expected)
        {
            string page = SamplePages.TwoSets.Replace(find, replace);

            HelpFormatException error = Assert.Throws<HelpFormatException>(() => Parse(page));

            Assert.Contains(expected, error.Message);
            Assert.StartsWith("Get-Widget.md:", error.Message);
        }

        [Fact]
        public void ParameterWithoutYamlIsAnError()
        {
            int start = SamplePages.TwoSets.IndexOf("```yaml\nType: SwitchParameter", System.StringComparison.Ordinal);
            int end = SamplePages.TwoSets.IndexOf("```\n", start + 8, System.StringComparison.Ordinal) + 4;
            string page = SamplePages.TwoSets.Remove(start, end - start);

            HelpFormatException error = Assert.Throws<HelpFormatException>(() => Parse(page));

            Assert.Contains("'-Force' has no yaml block", error.Message);
        }
    }
}

using System;
using System.IO;
using Xunit;

namespace PSThreading.HelpGenerator.Tests
{
    public sealed class GeneratorTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "helpgen-" + Guid.NewGuid().ToString("N"));

        public GeneratorTests()
        {
            Directory.CreateDirectory(Path.Combine(_root, "docs"));
        }

        public void Dispose() => Directory.Delete(_root, recursive: true);

        private string Docs(string name) => Path.Combine(_root, "docs", name);

        private string Output => Path.Combine(_root, "out");

        [Fact]
        public void WritesOneMamlFilePerHelpFileAndOneTextFilePerAboutPage()
        {
            File.WriteAllText(Docs("Get-Widget.md"), SamplePages.TwoSets);
            File.WriteAllText(Docs("about_Widgets.md"), SamplePages.About);

            Program.Generate(Path.Combine(_root, "docs"), Output);

            Assert.True(File.Exists(Path.Combine(Output, "Sample.dll-Help.xml")));
            Assert.StartsWith("TOPIC", File.ReadAllText(Path.Combine(Output, "about_Widgets.help.txt")));
        }

        [Fact]
        public void TheModulePageIsNotCommandHelp()
        {
            File.WriteAllText(Docs("Sample.md"), "---\nModule Name: Sample\nModule Guid: 00000000-0000-0000-0000-000000000000\n---\n\n# Sample Module\n");

            Program.Generate(Path.Combine(_root, "docs"), Output);

            Assert.Empty(Directory.GetFiles(Output));
        }

        [Fact]
        public void APageDocumentingAnotherCommandIsAnError()
        {
            File.WriteAllText(Docs("Get-Gadget.md"), SamplePages.TwoSets);

            HelpFormatException error = Assert.Throws<HelpFormatException>(() => Program.Generate(Path.Combine(_root, "docs"), Output));

            Assert.Contains("named 'Get-Gadget' but documents 'Get-Widget'", error.Message);
        }
    }
}

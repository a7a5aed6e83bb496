using System.Linq;
using Xunit;

namespace PSThreading.HelpGenerator.Tests
{
    public class AboutTopicWriterTests
    {
        private static string[] Lines() => AboutTopicWriter.Write(SamplePages.About).Split('\n');

        [Fact]
        public void StartsWithTheTopicName()
        {
            Assert.Equal(new[] { "TOPIC", "    about_Widgets", "" }, Lines().Take(3));
        }

        [Fact]
        public void SectionsAreCapitalisedAtTheMarginWithTextIndentedBelow()
        {
            string[] lines = Lines();
            int index = System.Array.IndexOf(lines, "SHORT DESCRIPTION");

            Assert.True(index > 0);
            Assert.Equal("    What widgets are.", lines[index + 1]);
            Assert.Contains("LONG DESCRIPTION", lines);
            Assert.Contains("    Making one", lines);
        }

        [Fact]
        public void NoLineIsWiderThanTheConsole()
        {
            Assert.All(Lines(), line => Assert.True(line.Length <= AboutTopicWriter.Width, line));
            Assert.Contains(Lines(), line => line.StartsWith("    Widgets are small things", System.StringComparison.Ordinal));
        }

        [Fact]
        public void CodeKeepsItsLayoutOneStepIn()
        {
            string[] lines = Lines();

            Assert.Contains("        $w = New-Widget", lines);
            Assert.Contains("            indented line", lines);
        }

        [Fact]
        public void TablesBecomeAlignedColumnsUnderARule()
        {
            string[] lines = Lines();
            int header = System.Array.FindIndex(lines, l => l.TrimStart().StartsWith("Python", System.StringComparison.Ordinal));

            Assert.Equal("    Python    Widgets", lines[header]);
            Assert.Equal("    --------  ------------------", lines[header + 1]);
            Assert.Equal("    widget()  New-Widget", lines[header + 2]);
            Assert.Equal("    cache     Get-Widget -Cached", lines[header + 3]);
        }

        [Fact]
        public void AWideTableWrapsItsLastColumnUnderItself()
        {
            string wide = "# about_Wide\n\n| Python | PSThreading |\n|---|---|\n| `t.join()` | " +
                string.Join(" ", System.Linq.Enumerable.Repeat("word", 30)) + " |\n";

            string[] lines = AboutTopicWriter.Write(wide).Split('\n');
            int row = System.Array.FindIndex(lines, l => l.StartsWith("    t.join()", System.StringComparison.Ordinal));

            Assert.All(lines, line => Assert.True(line.Length <= AboutTopicWriter.Width, line));
            Assert.StartsWith("    t.join()  word", lines[row]);
            Assert.StartsWith(new string(' ', 4 + "t.join()".Length + 2) + "word", lines[row + 1]);
        }

        [Fact]
        public void SubheadingsAreFollowedDirectlyByTheirText()
        {
            string[] lines = AboutTopicWriter.Write("# about_X\n\n## LONG DESCRIPTION\n\n### Part\n\nText.\n").Split('\n');

            Assert.Equal(new[] { "TOPIC", "    about_X", "", "LONG DESCRIPTION", "    Part", "    Text.", "" }, lines);
        }

        [Fact]
        public void ListItemsWrapUnderTheirFirstWord()
        {
            string[] lines = Lines();
            int bullet = System.Array.FindIndex(lines, l => l.StartsWith("    - a bullet", System.StringComparison.Ordinal));

            Assert.StartsWith("      ", lines[bullet + 1]);
            Assert.NotEqual(' ', lines[bullet + 1][6]);
            Assert.Equal("    - short", lines[bullet + 2]);
        }

        [Fact]
        public void WrapNeverBreaksAWord()
        {
            string word = new string('x', 100);

            Assert.Equal(new[] { "    a", "    " + word, "    b" }, AboutTopicWriter.Wrap("a " + word + " b", 4, 4));
        }
    }
}

using System.Collections.Generic;

namespace PSThreading.HelpGenerator
{
    /// <summary>One cmdlet's help page, as read from its markdown: what the MAML writer needs.</summary>
    internal sealed class CommandHelp
    {
        public CommandHelp(string name)
        {
            Name = name;
        }

        public string Name { get; }

        /// <summary>The MAML file the page belongs to (front matter's <c>external help file</c>).</summary>
        public string ExternalHelpFile { get; set; } = string.Empty;

        public string Synopsis { get; set; } = string.Empty;

        public List<string> Description { get; } = new List<string>();

        /// <summary>Parameter sets in the order the SYNTAX section lists them.</summary>
        public List<SyntaxSet> SyntaxSets { get; } = new List<SyntaxSet>();

        public List<ExampleHelp> Examples { get; } = new List<ExampleHelp>();

        public List<ParameterHelp> Parameters { get; } = new List<ParameterHelp>();

        public bool SupportsCommonParameters { get; set; }

        public List<TypeHelp> Inputs { get; } = new List<TypeHelp>();

        public List<TypeHelp> Outputs { get; } = new List<TypeHelp>();

        public List<string> Notes { get; } = new List<string>();

        public List<RelatedLink> RelatedLinks { get; } = new List<RelatedLink>();
    }

    /// <summary>A parameter set named by a SYNTAX heading; a page with one set has no heading.</summary>
    internal sealed record SyntaxSet(string Name, bool IsDefault)
    {
        public const string AllSets = "(All)";
    }

    internal sealed class ExampleHelp
    {
        public ExampleHelp(string title)
        {
            Title = title;
        }

        public string Title { get; }

        public List<string> Code { get; } = new List<string>();

        public List<string> Remarks { get; } = new List<string>();
    }

    internal sealed class ParameterHelp
    {
        public ParameterHelp(string name)
        {
            Name = name;
        }

        public string Name { get; }

        public List<string> Description { get; } = new List<string>();

        /// <summary>One entry per yaml block: a parameter may be positional in one set and named in another.</summary>
        public List<ParameterUsage> Usages { get; } = new List<ParameterUsage>();

        public bool IsSwitch => Usages.Count > 0 && Usages[0].Type.EndsWith("SwitchParameter", System.StringComparison.OrdinalIgnoreCase);

        /// <summary>The usage that applies to a set, or null when the parameter is not in it.</summary>
        public ParameterUsage? UsageFor(string setName)
        {
            foreach (ParameterUsage usage in Usages)
            {
                if (usage.AppliesTo(setName))
                {
                    return usage;
                }
            }

            return null;
        }
    }

    /// <summary>The fields of one PARAMETERS yaml block.</summary>
    internal sealed class ParameterUsage
    {
        public string Type { get; set; } = string.Empty;

        public List<string> ParameterSets { get; } = new List<string>();

        public string Aliases { get; set; } = "None";

        public bool Required { get; set; }

        /// <summary>A number, or <c>Named</c>.</summary>
        public string Position { get; set; } = "Named";

        public string DefaultValue { get; set; } = "None";

        /// <summary>As PowerShell prints it: <c>False</c>, <c>True (ByValue)</c>, <c>True (ByPropertyName)</c>, ...</summary>
        public string PipelineInput { get; set; } = "False";

        public bool AcceptsWildcards { get; set; }

        public bool AppliesTo(string setName)
        {
            foreach (string set in ParameterSets)
            {
                if (set == SyntaxSet.AllSets || string.Equals(set, setName, System.StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>An INPUTS or OUTPUTS entry: a type name heading and what it means.</summary>
    internal sealed class TypeHelp
    {
        public TypeHelp(string typeName)
        {
            TypeName = typeName;
        }

        public string TypeName { get; }

        public List<string> Description { get; } = new List<string>();
    }

    internal sealed record RelatedLink(string Text, string Uri);
}

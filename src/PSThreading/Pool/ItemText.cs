using System.Management.Automation;

namespace PSThreading.Pool
{
    /// <summary>An item as messages name it: its text, cut short.</summary>
    internal static class ItemText
    {
        public static string Describe(object? input)
        {
            string text = input == null ? "null" : LanguagePrimitives.ConvertTo<string>(input) ?? string.Empty;
            return text.Length > 80 ? text.Substring(0, 77) + "..." : text;
        }
    }
}

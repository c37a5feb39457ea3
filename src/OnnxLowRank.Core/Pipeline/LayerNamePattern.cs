using System.Text.RegularExpressions;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>A user's --exclude pattern: * matches any run of characters, ? one character, the rest literally.</summary>
public static class LayerNamePattern
{
    public static bool Matches(string pattern, string layerName)
    {
        var regex = "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$";
        return Regex.IsMatch(layerName, regex, RegexOptions.CultureInvariant);
    }
}

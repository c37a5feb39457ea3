using System.Globalization;

namespace OnnxLowRank.Bench;

/// <summary>Number formats of the tables, culture-invariant so every machine writes the same text.</summary>
internal static class Text
{
    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static string Percent(double fraction, int decimals = 2) => (fraction * 100).ToString("F" + decimals, CultureInfo.InvariantCulture) + "%";

    public static string MiB(long bytes) => (bytes / 1048576.0).ToString(bytes < 10 * 1048576 ? "F2" : "F1", CultureInfo.InvariantCulture);

    /// <summary>A latency in milliseconds with three significant figures or more.</summary>
    public static string Milliseconds(double ms) => ms.ToString(ms >= 100 ? "F0" : ms >= 10 ? "F1" : ms >= 1 ? "F2" : "F3", CultureInfo.InvariantCulture);

    /// <summary>An accuracy change in points with its sign, e.g. -0.60.</summary>
    public static string Points(double points) => points.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// A program's printed tables as Markdown: a blank line before each table (a table cannot interrupt a paragraph)
    /// and paths relative to the repository, so the text does not depend on where it was cloned.
    /// </summary>
    public static string AsMarkdown(string output, string repositoryRoot)
    {
        var lines = output.Replace(repositoryRoot.TrimEnd('/') + "/", "", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0 && lines[i].StartsWith('|') && lines[i - 1].Length > 0 && !lines[i - 1].StartsWith('|')) text.Append('\n');
            text.Append(lines[i]).Append('\n');
        }
        return text.ToString().Trim() + "\n";
    }

    /// <summary>The last non-empty lines of a child's output, joined, for a one-line failure note.</summary>
    public static string LastLines(string output, int count) =>
        string.Join(" / ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));
}

namespace OnnxLowRank.Cli.Reports;

/// <summary>The report formats; the --report file's extension picks one.</summary>
public enum ReportFormat
{
    Json,
    Markdown,
    Html,
}

public static class ReportFormats
{
    public static readonly string[] Extensions = [".json", ".md", ".html"];

    /// <summary>The format for a file name, or null for an unknown extension.</summary>
    public static ReportFormat? ForPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => ReportFormat.Json,
        ".md" or ".markdown" => ReportFormat.Markdown,
        ".html" or ".htm" => ReportFormat.Html,
        _ => null,
    };
}

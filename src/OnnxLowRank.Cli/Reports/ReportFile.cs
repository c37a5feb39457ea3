namespace OnnxLowRank.Cli.Reports;

/// <summary>Writes a report in the format its file extension names.</summary>
public static class ReportFile
{
    public static void Write(RunReport report, string path)
    {
        var format = ReportFormats.ForPath(path)
            ?? throw new UsageException($"Unknown report format '{Path.GetExtension(path)}'.", path, advice: "name the report .json, .md or .html");
        var text = format switch
        {
            ReportFormat.Json => JsonReport.Render(report),
            ReportFormat.Markdown => MarkdownReport.Render(report),
            _ => HtmlReport.Render(report),
        };
        try
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            File.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The report cannot be written: {e.Message}", path, advice: "choose a writable --report path", inner: e);
        }
    }
}

using System.Text;
using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Cli.Reports;

/// <summary>The report as Markdown: headings and pipe tables, for pull requests and wikis.</summary>
public static class MarkdownReport
{
    public static string Render(RunReport report)
    {
        var md = new StringBuilder();
        md.AppendLine($"# onnx-lowrank {report.Command}");
        md.AppendLine();
        md.AppendLine($"{report.CreatedUtc:yyyy-MM-dd HH:mm:ss} UTC, onnx-lowrank {report.ToolVersion}. Result: **{(report.Passed ? "passed" : "failed")}**.");
        md.AppendLine();
        md.AppendLine("| model | path | parameters | file size |");
        md.AppendLine("|---|---|---:|---:|");
        Model(md, "original", report.Original);
        if (report.Compressed is { } compressed) Model(md, "compressed", compressed);
        md.AppendLine();
        foreach (var section in ReportSections.Of(report))
        {
            md.AppendLine($"## {section.Title}");
            md.AppendLine();
            if (section.Note is not null)
            {
                md.AppendLine(section.Note);
                md.AppendLine();
            }
            md.AppendLine("| " + string.Join(" | ", section.Table.Columns.Select(c => c.Header)) + " |");
            md.AppendLine("|" + string.Join("|", section.Table.Columns.Select(c => c.RightAligned ? "---:" : "---")) + "|");
            foreach (var row in section.Table.Rows) md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static void Model(StringBuilder md, string role, ModelSummary model) =>
        md.AppendLine($"| {role} | `{model.Path}` | {ReportText.Count(model.Parameters)} | {ReportText.Count(model.FileBytes)} B |");

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}

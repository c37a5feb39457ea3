using System.Net;
using System.Text;

namespace OnnxLowRank.Cli.Reports;

/// <summary>The report as one self-contained HTML file: inline CSS, tables and inline SVG charts, no scripts or links.</summary>
public static class HtmlReport
{
    public static string Render(RunReport report)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>onnx-lowrank {E(report.Command)}</title>");
        html.AppendLine("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}" +
                        "th,td{border:1px solid #ccc;padding:4px 8px}td.r{text-align:right}th{background:#f4f4f4}" +
                        ".passed{color:#2a7d2a}.failed{color:#b22222}figure{margin:1em 0}</style>");
        html.AppendLine("</head><body>");
        html.AppendLine($"<h1>onnx-lowrank {E(report.Command)}</h1>");
        html.AppendLine($"<p>{report.CreatedUtc:yyyy-MM-dd HH:mm:ss} UTC, onnx-lowrank {E(report.ToolVersion)}. Result: " +
                        $"<strong class=\"{(report.Passed ? "passed\">passed" : "failed\">failed")}</strong>.</p>");
        html.AppendLine("<table><tr><th>model</th><th>path</th><th>parameters</th><th>file size</th></tr>");
        Model(html, "original", report.Original);
        if (report.Compressed is { } compressed) Model(html, "compressed", compressed);
        html.AppendLine("</table>");
        foreach (var section in ReportSections.Of(report))
        {
            html.AppendLine($"<h2>{E(section.Title)}</h2>");
            if (section.Note is not null) html.AppendLine($"<p>{E(section.Note)}</p>");
            html.AppendLine("<table><tr>" + string.Concat(section.Table.Columns.Select(c => $"<th>{E(c.Header)}</th>")) + "</tr>");
            foreach (var row in section.Table.Rows)
            {
                html.Append("<tr>");
                for (var i = 0; i < row.Count; i++)
                    html.Append(section.Table.Columns[i].RightAligned ? $"<td class=\"r\">{E(row[i])}</td>" : $"<td>{E(row[i])}</td>");
                html.AppendLine("</tr>");
            }
            html.AppendLine("</table>");
            foreach (var chart in section.Charts ?? []) html.AppendLine($"<figure>{chart}</figure>");
        }
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static void Model(StringBuilder html, string role, ModelSummary model) =>
        html.AppendLine($"<tr><td>{role}</td><td><code>{E(model.Path)}</code></td><td class=\"r\">{ReportText.Count(model.Parameters)}</td><td class=\"r\">{ReportText.Count(model.FileBytes)} B</td></tr>");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

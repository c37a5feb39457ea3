namespace OnnxLowRank.Cli.Reports;

/// <summary>A format-neutral table: the console, Markdown and HTML renderers all draw these.</summary>
public sealed record ReportTable(IReadOnlyList<ReportColumn> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

public sealed record ReportColumn(string Header, bool RightAligned = true);

/// <summary>A titled table with an optional sentence above it and optional SVG charts (HTML only).</summary>
public sealed record ReportSectionView(string Title, ReportTable Table, string? Note = null, IReadOnlyList<string>? Charts = null);

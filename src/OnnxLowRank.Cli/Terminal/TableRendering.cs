using OnnxLowRank.Cli.Reports;
using Spectre.Console;

namespace OnnxLowRank.Cli.Terminal;

/// <summary>Draws report sections as Spectre tables on standard output.</summary>
internal static class TableRendering
{
    public static void Write(IAnsiConsole console, ReportSectionView section)
    {
        var table = new Table().Title(Markup.Escape(section.Title)).Border(TableBorder.Rounded);
        foreach (var column in section.Table.Columns)
            table.AddColumn(new TableColumn(Markup.Escape(column.Header)) { Alignment = column.RightAligned ? Justify.Right : Justify.Left });
        foreach (var row in section.Table.Rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        console.Write(table);
        if (section.Note is not null) console.WriteLine(section.Note);
        console.WriteLine();
    }
}

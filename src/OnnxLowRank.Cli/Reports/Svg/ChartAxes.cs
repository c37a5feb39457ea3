namespace OnnxLowRank.Cli.Reports.Svg;

/// <summary>The frame every chart shares: title, axis lines, grid, ticks, axis labels, legend entries.</summary>
internal static class ChartAxes
{
    public static void Draw(SvgCanvas canvas, ValueScale? x, ValueScale y, string title, string xLabel, string yLabel,
        double left, double right, double top, double bottom)
    {
        canvas.Text((left + right) / 2, 20, title, "middle", 14, bold: true);
        foreach (var tick in y.Ticks())
        {
            var py = y.Map(tick);
            canvas.Line(left, py, right, py, "#e0e0e0");
            canvas.Text(left - 6, py + 4, ValueScale.Format(tick), "end", 11);
        }
        if (x is not null)
        {
            foreach (var tick in x.Ticks())
            {
                var px = x.Map(tick);
                canvas.Line(px, bottom, px, bottom + 4, "#333");
                canvas.Text(px, bottom + 17, ValueScale.Format(tick), "middle", 11);
            }
            canvas.Text((left + right) / 2, canvas.Height - 8, xLabel, "middle", 12);
        }
        canvas.Line(left, bottom, right, bottom, "#333");
        canvas.Line(left, top, left, bottom, "#333");
        canvas.Text(16, (top + bottom) / 2, yLabel + (y.Logarithmic ? " (log)" : ""), "middle", 12, rotate: -90);
    }

    public static void LegendEntry(SvgCanvas canvas, double x, double y, string color, string name)
    {
        canvas.Rect(x, y - 9, 12, 12, color);
        canvas.Text(x + 18, y + 1, name, "start", 11);
    }
}

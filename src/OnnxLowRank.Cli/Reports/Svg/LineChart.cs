namespace OnnxLowRank.Cli.Reports.Svg;

/// <summary>A line plot of one or more series with axes, ticks, a legend and optional log-scale y.</summary>
public sealed record LineChart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, bool LogY = false)
{
    public string ToSvg(int width = 640, int height = 360)
    {
        const double left = 64, right = 150, top = 36, bottom = 48;
        var canvas = new SvgCanvas(width, height);
        var points = Series.SelectMany(s => s.Points).ToList();
        var x = new ValueScale(points.Select(p => p.X), left, width - right, logarithmic: false);
        var y = new ValueScale(points.Select(p => p.Y), height - bottom, top, LogY);
        ChartAxes.Draw(canvas, x, y, Title, XLabel, YLabel, left, width - right, top, height - bottom);
        for (var i = 0; i < Series.Count; i++)
        {
            var color = SvgCanvas.Palette[i % SvgCanvas.Palette.Length];
            var visible = Series[i].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0)).OrderBy(p => p.X).ToList();
            if (visible.Count > 1) canvas.Polyline(visible.Select(p => (x.Map(p.X), y.Map(p.Y))), color);
            foreach (var p in visible) canvas.Circle(x.Map(p.X), y.Map(p.Y), 3, color, $"{Series[i].Name}: ({ValueScale.Format(p.X)}, {ValueScale.Format(p.Y)})");
            ChartAxes.LegendEntry(canvas, width - right + 12, top + 8 + (i * 18), color, Series[i].Name);
        }
        return canvas.ToString();
    }
}

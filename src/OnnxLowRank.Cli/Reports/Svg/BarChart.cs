namespace OnnxLowRank.Cli.Reports.Svg;

/// <summary>Grouped bars: one group per category, one bar per series; optional log-scale y.</summary>
public sealed record BarChart(string Title, string YLabel, IReadOnlyList<string> Categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> Series, bool LogY = false)
{
    public string ToSvg(int width = 640, int height = 360)
    {
        const double left = 64, top = 36;
        var right = Series.Count > 1 ? 150.0 : 24.0;
        // Long category names are drawn slanted and need room below the axis.
        var bottom = Categories.Any(c => c.Length > 8) ? 96.0 : 48.0;
        var canvas = new SvgCanvas(width, height);
        var y = new ValueScale(Series.SelectMany(s => s.Values), height - bottom, top, LogY, includeZero: true);
        var plotLeft = left;
        var plotRight = width - right;
        ChartAxes.Draw(canvas, null, y, Title, "", YLabel, plotLeft, plotRight, top, height - bottom);

        var groupWidth = (plotRight - plotLeft) / Math.Max(Categories.Count, 1);
        var barWidth = groupWidth * 0.8 / Math.Max(Series.Count, 1);
        var baseline = LogY ? height - bottom : y.Map(0);
        for (var c = 0; c < Categories.Count; c++)
        {
            var groupLeft = plotLeft + (c * groupWidth) + (groupWidth * 0.1);
            for (var s = 0; s < Series.Count; s++)
            {
                var value = c < Series[s].Values.Count ? Series[s].Values[c] : double.NaN;
                if (!double.IsFinite(value) || (LogY && value <= 0)) continue;
                var barTop = y.Map(value);
                canvas.Rect(groupLeft + (s * barWidth), Math.Min(barTop, baseline), barWidth * 0.95, Math.Abs(baseline - barTop),
                    SvgCanvas.Palette[s % SvgCanvas.Palette.Length], $"{Categories[c]} / {Series[s].Name}: {ValueScale.Format(value)}");
            }
            var labelX = groupLeft + (groupWidth * 0.4);
            if (bottom > 48) canvas.Text(labelX, height - bottom + 14, Categories[c], "end", 10, rotate: -35);
            else canvas.Text(labelX, height - bottom + 16, Categories[c], "middle", 11);
        }
        if (Series.Count > 1)
        {
            for (var s = 0; s < Series.Count; s++)
                ChartAxes.LegendEntry(canvas, plotRight + 12, top + 8 + (s * 18), SvgCanvas.Palette[s % SvgCanvas.Palette.Length], Series[s].Name);
        }
        return canvas.ToString();
    }
}

namespace OnnxLowRank.Cli.Reports.Svg;

/// <summary>A named sequence of (x, y) points, drawn as one line.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

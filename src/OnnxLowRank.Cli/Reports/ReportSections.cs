using OnnxLowRank.Cli.Reports.Svg;

namespace OnnxLowRank.Cli.Reports;

/// <summary>The tables (and, for HTML, charts) a report shows, in order, built once for every format.</summary>
public static class ReportSections
{
    public static IReadOnlyList<ReportSectionView> Of(RunReport report)
    {
        var sections = new List<ReportSectionView>();
        if (report.Comparison is { } comparison)
        {
            sections.Add(Outputs(comparison));
            sections.Add(Latency(comparison));
        }
        if (report.Gates.Count > 0) sections.Add(Gates(report));
        return sections;
    }

    private static ReportSectionView Outputs(ComparisonSection c)
    {
        var rows = c.Outputs.Select(o => (IReadOnlyList<string>)
        [
            o.Name,
            ReportText.Percent(o.TopOneAgreement),
            ReportText.Percent(o.OriginalAccuracy),
            ReportText.Percent(o.CompressedAccuracy),
            ReportText.Points(o.AccuracyDropPoints),
            ReportText.Scientific(o.MaxAbsoluteError),
            ReportText.Scientific(o.RelativeL2Error),
            ReportText.Number(o.CosineSimilarity),
        ]).ToList();
        var table = new ReportTable(
            [new("output", false), new("top-1 agreement"), new("accuracy orig."), new("accuracy comp."), new("accuracy drop"),
             new("max abs error"), new("rel. L2 error"), new("cosine")],
            rows);
        var chart = new BarChart("Relative L2 error per output", "relative L2 error", c.Outputs.Select(o => o.Name).ToList(),
            [("relative L2 error", c.Outputs.Select(o => o.RelativeL2Error).ToList())], LogY: true).ToSvg();
        return new ReportSectionView("Outputs", table,
            $"{c.Samples} samples from {c.Data}{(c.HasLabels ? ", with labels" : "")}, {c.BatchSize} per run.", [chart]);
    }

    private static ReportSectionView Latency(ComparisonSection c)
    {
        var table = new ReportTable(
            [new("model", false), new("runs"), new("median"), new("p90"), new("mean")],
            [
                ["original", c.OriginalLatency.Runs.ToString(), ReportText.Milliseconds(c.OriginalLatency.MedianMs), ReportText.Milliseconds(c.OriginalLatency.P90Ms), ReportText.Milliseconds(c.OriginalLatency.MeanMs)],
                ["compressed", c.CompressedLatency.Runs.ToString(), ReportText.Milliseconds(c.CompressedLatency.MedianMs), ReportText.Milliseconds(c.CompressedLatency.P90Ms), ReportText.Milliseconds(c.CompressedLatency.MeanMs)],
            ]);
        var chart = new BarChart("Latency per run", "milliseconds", ["median", "p90"],
            [("original", [c.OriginalLatency.MedianMs, c.OriginalLatency.P90Ms]), ("compressed", [c.CompressedLatency.MedianMs, c.CompressedLatency.P90Ms])]).ToSvg();
        return new ReportSectionView("Latency", table, $"Speedup (median): {ReportText.Ratio(c.Speedup)}; warm-up runs excluded.", [chart]);
    }

    private static ReportSectionView Gates(RunReport report) => new("Gates",
        new ReportTable([new("gate", false), new("threshold"), new("measured"), new("result", false)],
            report.Gates.Select(g => (IReadOnlyList<string>)[g.Name, ReportText.Number(g.Threshold), ReportText.Number(g.Actual), g.Passed ? "passed" : "FAILED"]).ToList()));
}

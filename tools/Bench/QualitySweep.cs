using System.Text.Json;
using OnnxLowRank.Cli.Reports;

namespace OnnxLowRank.Bench;

/// <summary>
/// Accuracy and output error against the kept budget for one model: an `onnx-lowrank sweep` of the
/// weight-only allocators and, where the model has calibration data, a second sweep of auto with it;
/// the two are joined into one report (one HTML page, one plot per measure).
/// </summary>
internal sealed record QualitySweep(BenchModel Model, string Budget, SweepSection? Sweep, string? HtmlPath, IReadOnlyList<string> Failures)
{
    /// <summary>The method label the calibrated points carry.</summary>
    public const string CalibratedLabel = "auto + calibration";

    public IEnumerable<SweepPoint> Points => Sweep?.Points ?? [];

    public static QualitySweep Run(ChildProcesses children, string scratch, string reportFolder, Repository repository, BenchModel model, string budget,
        string keeps, int? limit)
    {
        var failures = new List<string>();
        var weightOnly = SweepOnce(children, scratch, model, budget, keeps, limit, string.Join(',', Methods.Swept), calibrated: false, failures);
        var calibrated = model.Calibration is null ? null : SweepOnce(children, scratch, model, budget, keeps, limit, Methods.Auto, calibrated: true, failures);
        if (weightOnly?.Sweep is not { } sweep) return new QualitySweep(model, budget, null, null, failures);

        // auto resolves to the allocator it chose; the label keeps the data-aware curve apart from the weight-only ones.
        var points = sweep.Points.Concat((calibrated?.Sweep?.Points ?? []).Select(p => p with { Method = CalibratedLabel })).ToList();
        // The published page names the model relative to the repository, not where this clone happens to be.
        var joined = weightOnly with
        {
            Sweep = sweep with { Points = points },
            Original = weightOnly.Original with { Path = repository.Relative(weightOnly.Original.Path) },
        };
        var html = Path.Combine(reportFolder, $"{model.Name}-{budget}.html");
        ReportFile.Write(joined, html);
        return new QualitySweep(model, budget, joined.Sweep, html, failures);
    }

    private static RunReport? SweepOnce(ChildProcesses children, string scratch, BenchModel model, string budget, string keeps, int? limit,
        string methods, bool calibrated, List<string> failures)
    {
        var reportPath = Path.Combine(scratch, $"sweep-{model.Name}-{budget}{(calibrated ? "-calibrated" : "")}.json");
        var args = new List<string> { "sweep", model.Path };
        args.AddRange(model.Evaluation!.AsData());
        args.AddRange(["--keep", keeps, "--methods", methods, "--budget", budget, "--report", reportPath, "--quiet"]);
        if (limit is { } n) args.AddRange(["--limit", n.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        // --normalize already came with --data and holds for the calibration inputs too.
        if (calibrated) args.AddRange(model.Calibration!.AsCalibration(withNormalize: false));
        var (measurement, log) = children.RunCli(args);
        if (measurement is not { ExitCode: 0 } || !File.Exists(reportPath))
        {
            failures.Add($"sweep of {model.Name} ({budget}, {methods}) exited with {measurement?.ExitCode.ToString() ?? "no measurement"}: {Text.LastLines(log, 3)}");
            return null;
        }
        return JsonSerializer.Deserialize<RunReport>(File.ReadAllText(reportPath), JsonReport.Options);
    }
}

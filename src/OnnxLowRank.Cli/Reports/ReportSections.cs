using OnnxLowRank.Cli.Reports.Svg;
using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Cli.Reports;

/// <summary>The tables (and, for HTML, charts) a report shows, in order, built once for every format.</summary>
public static class ReportSections
{
    public static IReadOnlyList<ReportSectionView> Of(RunReport report)
    {
        var sections = new List<ReportSectionView>();
        if (report.Analysis is { } analysis) sections.AddRange(Analysis(analysis));
        if (report.Compression is { } compression) sections.AddRange(Compression(compression));
        if (report.Search is { } search) sections.Add(Search(search));
        if (report.Sweep is { } sweep) sections.Add(Sweep(sweep));
        if (report.Comparison is { } comparison)
        {
            sections.Add(Outputs(comparison));
            if (comparison.Outputs.Any(o => o.Tokens is not null)) sections.Add(TokenOutputs(comparison));
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

    private static ReportSectionView TokenOutputs(ComparisonSection c)
    {
        var rows = c.Outputs.Where(o => o.Tokens is not null).Select(o => (IReadOnlyList<string>)
        [
            o.Name,
            o.Tokens!.Kind == TokenOutputKind.Logits ? "logits" : "embedding",
            o.Tokens.Tokens.ToString(),
            ReportText.Number(o.Tokens.MeanPooledCosine),
            ReportText.Number(o.Tokens.TokenCosine),
            ReportText.Percent(o.Tokens.NeighbourOverlap),
            ReportText.Percent(o.Tokens.NextTokenAgreement),
            ReportText.Number(o.Tokens.OriginalPerplexity),
            ReportText.Number(o.Tokens.CompressedPerplexity),
        ]).ToList();
        return new ReportSectionView("Token outputs",
            new ReportTable([new("output", false), new("kind", false), new("real tokens"), new("mean-pooled cosine"), new("token cosine"), new("top-10 neighbours kept"),
                new("next-token agreement"), new("perplexity orig."), new("perplexity comp.")], rows),
            "Outputs of one vector per token, over real tokens only (attention mask). Embeddings: cosine per token and of each text's "
            + "mean-pooled vector, and the share of each text's 10 nearest texts (first 2,000) both models find; logits (as wide as the vocabulary): agreement of the predicted next token, and perplexity against the next real token.");
    }

    private static ReportSectionView Latency(ComparisonSection c)
    {
        string[] Row(string model, LatencySummary l) =>
            [model, l.Runs.ToString(), ReportText.Milliseconds(l.MedianMs), ReportText.Milliseconds(l.P10Ms), ReportText.Milliseconds(l.P90Ms), ReportText.Milliseconds(l.MeanMs)];
        var table = new ReportTable(
            [new("model", false), new("runs"), new("median"), new("p10"), new("p90"), new("mean")],
            [Row("original", c.OriginalLatency), Row("compressed", c.CompressedLatency)]);
        var chart = new BarChart("Latency per run", "milliseconds", ["median", "p90"],
            [("original", [c.OriginalLatency.MedianMs, c.OriginalLatency.P90Ms]), ("compressed", [c.CompressedLatency.MedianMs, c.CompressedLatency.P90Ms])]).ToSvg();
        var speedup = c.Speedup is { } x
            ? $"Speedup (median over back-to-back runs): {ReportText.Ratio(x)}"
            : "Speedup: not measured (too few timed runs for a stable median)";
        return new ReportSectionView("Latency", table, $"{speedup}; warm-up runs excluded; p10-p90 is the spread.", [chart]);
    }

    private static IEnumerable<ReportSectionView> Analysis(AnalysisSection a)
    {
        var energyHeaders = AnalysisSection.EnergyShares.Select(s => new ReportColumn($"rank {s * 100:0}% en."));
        var errorHeaders = AnalysisSection.ErrorLevels.Select(e => new ReportColumn($"size {e * 100:0}% err."));
        var rows = a.Layers.Select(l => (IReadOnlyList<string>)
        [
            l.Name, l.OpType, string.Join("x", l.WeightShape), ReportText.Count(l.Parameters), l.Flops is { } f ? ReportText.Count(f) : "-",
            .. l.RanksAtEnergy.Select(r => $"{r.Rank}/{l.MaxRank}"),
            .. l.SizesAtError.Select(s => s.Parameters == l.Parameters ? "whole" : $"{ReportText.Count(s.Parameters)} ({ReportText.Percent((double)s.Parameters / l.Parameters)})"),
        ]).ToList();
        var flops = a.BudgetFlops is { } total ? $", {ReportText.Count(total)} multiply-accumulates per sample" : "";
        var spectra = a.Calibration is { } cal ? $" Spectra whitened by {cal.Samples} calibration samples from {cal.Source}." : "";
        var chart = new BarChart("Parameters per layer", "parameters", a.Layers.Select(l => l.Name).ToList(),
            [("whole", a.Layers.Select(l => (double)l.Parameters).ToList()),
             ("at 10% error", a.Layers.Select(l => (double)l.SizesAtError.First(s => s.RelativeError == 0.10).Parameters).ToList())], LogY: true).ToSvg(800, 400);
        yield return new ReportSectionView("Compressible layers",
            new ReportTable([new("layer", false), new("op", false), new("weight", false), new("parameters"), new("FLOPs"), .. energyHeaders, .. errorHeaders], rows),
            $"{a.Layers.Count} compressible layers; {ReportText.Count(a.BudgetParameters)} weight parameters in the budget{flops}.{spectra}", [chart]);
        if (a.WholeLayers.Count > 0)
        {
            yield return new ReportSectionView("Layers kept whole",
                new ReportTable([new("layer", false), new("op", false), new("parameters"), new("FLOPs")],
                    a.WholeLayers.Select(w => (IReadOnlyList<string>)[w.Name, w.OpType, ReportText.Count(w.Parameters), w.Flops is { } f ? ReportText.Count(f) : "-"]).ToList()));
        }
        if (a.Sensitivity is { } sensitivity) yield return Sensitivity(sensitivity);
        if (a.Skipped.Count > 0) yield return Skipped("Skipped nodes", a.Skipped);
    }

    private static ReportSectionView Sensitivity(SensitivitySummary s)
    {
        var fractions = Core.Sensitivity.SensitivityOptions.TableFractions;
        string Cell(LayerSensitivity l, double fraction) =>
            l.Damage.FirstOrDefault(d => d.Fraction == fraction) is { } d ? ReportText.Scientific(d.Damage) : "-";
        var rows = s.Layers.Select(l => (IReadOnlyList<string>)[l.Name, ReportText.Count(l.Parameters), .. fractions.Select(f => Cell(l, f))]).ToList();
        var chart = new BarChart($"Damage to {s.Output} with one layer factorized", s.Measure, s.Layers.Select(l => l.Name).ToList(),
            fractions.Select(f => ($"at {f * 100:0}% of the layer", (IReadOnlyList<double>)s.Layers.Select(l => l.Damage.FirstOrDefault(d => d.Fraction == f)?.Damage ?? double.NaN).ToList())).ToList(),
            LogY: true).ToSvg(800, 400);
        var fewer = s.Samples < s.SamplesAsked ? $" (the data holds only {s.Samples} of the {s.SamplesAsked} asked for)" : "";
        var measure = s.Measure switch
        {
            "kl-divergence" => "mean KL divergence of the softmaxed outputs from the original's",
            "embedding-cosine" => "mean 1 - cosine of each text's pooled embedding",
            _ => "relative squared error of the output",
        };
        return new ReportSectionView("Layer sensitivity",
            new ReportTable([new("layer", false), new("parameters"), .. fractions.Select(f => new ReportColumn($"damage at {f * 100:0}%"))], rows),
            $"Each layer alone factorized to a share of its parameters, as compression would factorize it, and run in ONNX Runtime on {s.Samples} calibration samples from {s.Source}{fewer}: "
            + $"the {measure} ({s.Output}), in {s.Seconds:0.0} s. Layers with high damage at 75% are the ones to leave whole (--exclude); --method sensitivity allocates by these measurements.",
            [chart]);
    }

    private static IEnumerable<ReportSectionView> Compression(CompressionSection c)
    {
        var budget = c.Budget == "energy" ? $"energy share {ReportText.Number(c.EnergyThreshold ?? 0)} per layer" : $"keep {ReportText.Percent(c.KeepFraction)} of {c.Budget}";
        var data = c.Calibration is { } cal ? $", data-aware ({cal.Samples} calibration samples from {cal.Source})" : "";
        var flops = c.BudgetFlopsBefore is { } before && c.BudgetFlopsAfter is { } after ? $"; FLOPs {ReportText.Count(before)} -> {ReportText.Count(after)}" : "";
        var grid = c.ConvRankMultiple < c.ConvRankMultipleAsked
            ? $" Conv ranks are multiples of {c.ConvRankMultiple}, not {c.ConvRankMultipleAsked}: the budget cannot be met within 1% on that grid (off-grid Convs run slower per FLOP in ONNX Runtime's CPU kernels)."
            : "";
        var rows = c.Layers.Select(l => (IReadOnlyList<string>)
        [
            l.Name, l.Order == "input-first" ? $"{l.Op}, 1x1 first" : l.Op, l.SliceCount.ToString(), l.Rank.ToString(), ReportText.Count(l.OriginalParameters), ReportText.Count(l.NewParameters),
            ReportText.Percent((double)l.NewParameters / l.OriginalParameters), ReportText.Scientific(l.RelativeError), l.Note,
        ]).ToList();
        var names = c.Layers.Select(l => l.Name).ToList();
        var kept = new BarChart("Share of each layer kept", "kept fraction", names, [("kept", c.Layers.Select(l => (double)l.NewParameters / l.OriginalParameters).ToList())]).ToSvg(800, 400);
        var error = new BarChart("Relative error per layer", "||W - W^|| / ||W||", names, [("error", c.Layers.Select(l => l.RelativeError).ToList())], LogY: true).ToSvg(800, 400);
        yield return new ReportSectionView("Rewritten layers",
            new ReportTable([new("layer", false), new("op", false), new("k"), new("rank"), new("parameters"), new("after"), new("kept"), new("rel. error"), new("note", false)], rows),
            $"Method {c.Method}{data}, {budget}: kept {ReportText.Percent(c.KeptFraction)} of the budget; weights {ReportText.Count(c.BudgetParametersBefore)} -> {ReportText.Count(c.BudgetParametersAfter)}{flops}; worst error bound {ReportText.Scientific(c.MaxErrorBound)}.{grid}",
            [kept, error]);
        if (c.Skipped.Count > 0) yield return Skipped("Layers left whole", c.Skipped);
        if (c.Timing is { } timing) yield return Timing(timing);
    }

    private static ReportSectionView Timing(IReadOnlyList<LayerTimingEntry> timing)
    {
        var rows = timing.Select(t => (IReadOnlyList<string>)
        [
            t.Name, ReportText.Milliseconds(t.OriginalMs), t.ChosenMs is { } ms ? ReportText.Milliseconds(ms) : "-",
            t.ChosenMs is { } chosen ? ReportText.Ratio(t.OriginalMs / chosen) : "-", t.Outcome, t.Reason,
        ]).ToList();
        var original = timing.Sum(t => t.OriginalMs);
        var kept = timing.Sum(t => t.ChosenMs ?? t.OriginalMs);
        return new ReportSectionView("Layer timing",
            new ReportTable([new("layer", false), new("original"), new("chosen"), new("speedup"), new("outcome", false), new("why", false)], rows),
            $"Each layer timed on its own in the engine on its real input shape (median of warm runs; a pair in alternation with its layer); summed {ReportText.Milliseconds(original)} -> {ReportText.Milliseconds(kept)}. No kept pair is slower than its layer.");
    }

    private static ReportSectionView Sweep(SweepSection s)
    {
        // A token model's own figure takes the place of top-1 and accuracy, which mean nothing for embeddings.
        var hasCosine = s.Points.Any(p => p.MeanPooledCosine.HasValue);
        var hasPerplexity = s.Points.Any(p => p.Perplexity.HasValue);
        var rows = s.Points.Select(p => (IReadOnlyList<string>)
        [
            p.Method, ReportText.Percent(p.KeepFraction), ReportText.Percent(p.KeptFraction),
            .. hasCosine ? [ReportText.Number(p.MeanPooledCosine)] : hasPerplexity ? [ReportText.Number(p.Perplexity)] : Array.Empty<string>(),
            ReportText.Percent(p.TopOneAgreement), ReportText.Percent(p.Accuracy), ReportText.Points(p.AccuracyDropPoints is { } d ? -d : null),
            p.RelativeL2Error is { } e ? ReportText.Scientific(e) : "-", p.MaxErrorBound is { } b ? ReportText.Scientific(b) : "-",
            p.Speedup is { } x ? ReportText.Ratio(x) : "-", p.Error ?? "",
        ]).ToList();
        var byMethod = s.Points.Where(p => p.Error is null).GroupBy(p => p.Method).ToList();
        ChartSeries Series(IGrouping<string, SweepPoint> g, Func<SweepPoint, double?> y) =>
            new(g.Key, g.Where(p => y(p).HasValue).Select(p => (p.KeptFraction ?? p.KeepFraction, y(p)!.Value)).ToList());
        var hasAccuracy = s.Points.Any(p => p.Accuracy.HasValue);
        var quality = hasCosine
            ? new LineChart("Mean-pooled cosine against the share kept", $"kept fraction of {s.Budget}", "mean-pooled cosine", byMethod.Select(g => Series(g, p => p.MeanPooledCosine)).ToList())
            : hasPerplexity
            ? new LineChart("Perplexity against the share kept", $"kept fraction of {s.Budget}", "perplexity", byMethod.Select(g => Series(g, p => p.Perplexity)).ToList())
            : hasAccuracy
            ? new LineChart("Accuracy against the share kept", $"kept fraction of {s.Budget}", "accuracy", byMethod.Select(g => Series(g, p => p.Accuracy)).ToList())
            : new LineChart("Top-1 agreement against the share kept", $"kept fraction of {s.Budget}", "agreement", byMethod.Select(g => Series(g, p => p.TopOneAgreement)).ToList());
        var error = new LineChart("Output error against the share kept", $"kept fraction of {s.Budget}", "relative L2 error",
            byMethod.Select(g => Series(g, p => p.RelativeL2Error)).ToList(), LogY: true);
        var baseline = s.OriginalAccuracy is { } a ? $" The original scores {ReportText.Percent(a)}."
            : s.OriginalPerplexity is { } ppl ? $" The original's perplexity is {ReportText.Number(ppl)}." : "";
        ReportColumn[] tokenColumn = hasCosine ? [new("pooled cosine")] : hasPerplexity ? [new("perplexity")] : [];
        return new ReportSectionView("Sweep",
            new ReportTable([new("method", false), new("keep"), new("kept"), .. tokenColumn, new("agreement"), new("accuracy"), new("change"), new("rel. L2 error"), new("worst bound"), new("speedup"), new("note", false)], rows),
            $"{s.Samples} samples from {s.Data}; fractions of {s.Budget}.{baseline}", [quality.ToSvg(), error.ToSvg()]);
    }

    private static ReportSectionView Search(SearchSection s)
    {
        var gateNames = s.Steps.SelectMany(p => p.Gates.Select(g => g.Name)).Distinct().ToList();
        var rows = s.Steps.Select(p => (IReadOnlyList<string>)
        [
            p.Step.ToString(), ReportText.Percent(p.KeepFraction), ReportText.Percent(p.KeptFraction),
            .. gateNames.Select(n => p.Gates.FirstOrDefault(g => g.Name == n) is { } g ? ReportText.Number(g.Actual) : "-"),
            p.Unreachable is not null ? "unreachable" : p.Passed ? "passed" : "FAILED", p.Chosen ? "written" : "",
        ]).ToList();
        var outcome = s.Found
            ? $"The smallest passing fraction, {ReportText.Percent(s.ChosenKeepFraction)}, was written."
            : $"Even {ReportText.Percent(s.High)} failed; its model was written, and the run fails.";
        return new ReportSectionView("Search",
            new ReportTable([new("step"), new("keep"), new("kept"), .. gateNames.Select(n => new ReportColumn(n)), new("result", false), new("model", false)], rows),
            $"Bisection on the keep fraction of {s.Budget} over [{ReportText.Number(s.Low)}, {ReportText.Number(s.High)}] to {ReportText.Number(s.Tolerance)}, each step compressed and validated. {outcome}");
    }

    private static ReportSectionView Skipped(string title, IReadOnlyList<SkippedEntry> skipped) => new(title,
        new ReportTable([new("node", false), new("op", false), new("reason", false), new("detail", false)],
            skipped.Select(s => (IReadOnlyList<string>)[s.Name, s.OpType, s.Reason, s.Detail]).ToList()));

    private static ReportSectionView Gates(RunReport report) => new("Gates",
        new ReportTable([new("gate", false), new("threshold"), new("measured"), new("result", false)],
            report.Gates.Select(g => (IReadOnlyList<string>)[g.Name, ReportText.Number(g.Threshold), ReportText.Number(g.Actual), g.Passed ? "passed" : "FAILED"]).ToList()));
}

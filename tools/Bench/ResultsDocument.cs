using System.Text;
using OnnxLowRank.Cli.Reports;

namespace OnnxLowRank.Bench;

/// <summary>The Markdown the bench publishes: the tables of one run with the command, the machine, the date and the targets.</summary>
internal static class ResultsDocument
{
    public static string Render(BenchResults results, IReadOnlyList<TargetOutcome> targets, Repository repository, string reportFolder, string linkBase,
        string? inProgress)
    {
        var text = new StringBuilder();
        if (inProgress is not null)
            text.AppendLine($"**Incomplete**: written while the run was still going ({inProgress}); a run that stopped here measured only what follows.\n");
        Header(text, results);
        Section(text, "Targets of issue #7", "Figures, not tests: a miss is reported here and does not fail the run.", Targets(targets));
        Section(text, "Compression cost", CostIntro, Cost(results));
        Section(text, "Inference latency", LatencyIntro(results), Latency(results));
        Quality(text, results, repository, reportFolder, linkBase);
        if (results.PaddleOcr is not null)
            Section(text, "PaddleOCR: output agreement against kept weights",
                "`dotnet run -c Release --project tools/PaddleOcrBenchmark`, run by the bench (the models and inputs are described in the PaddleOCR section below); " +
                "weight-only alds against data-aware auto; its output as printed:", Text.AsMarkdown(results.PaddleOcr, repository.Root));
        if (results.Spectra is not null)
            Section(text, "Spectra throughput", "`dotnet run -c Release --project tools/SpectraBenchmark`, run by the bench; its output as printed:", Text.AsMarkdown(results.Spectra, repository.Root));
        Notes(text, results);
        return text.ToString();
    }

    private const string CostIntro =
        "`onnx-lowrank compress MODEL -o OUT --method METHOD --keep-flops KEEP` (plus `--calibration` for auto with data), each in a " +
        "fresh process that runs the CLI's own code with its GC settings. Wall time covers the command from argument parsing to exit: load, " +
        "FLOP measurement in ONNX Runtime, spectra, allocation, rewrite with exact per-layer errors, the save and the verifying run of the " +
        "written model. Peak RSS is that process's high-water mark. Kept parameters and FLOPs are those of the compressible layers.";

    private static string LatencyIntro(BenchResults results) =>
        "ONNX Runtime on seeded random inputs; the original and its alds compressions at each keep-flops are run " +
        "in turn, round after round, and each cell is a median (" +
        (results.Options.Quick ? "quick run: at least 3 rounds" : "at least 5 rounds and 10 s per group") + ", after warm-up runs). " +
        "Ideal = 1 / kept FLOPs of the factorized layers; layers left whole, activations and pooling do not shrink, so the ideal is an upper bound. " +
        "\"all\" threads = " + results.Machine.Cores + ".";

    private static void Header(StringBuilder text, BenchResults results)
    {
        text.AppendLine("Written by the benchmark suite; run it again to rewrite everything up to the end marker:");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine(results.Options.CommandLine);
        text.AppendLine("```");
        text.AppendLine();
        var cpu = results.CpuSeconds is { } seconds
            ? $" of wall time and {Text.Fixed(seconds / 60, 1)} minutes of CPU (the bench and its children; on an idle machine with {results.Machine.Cores} cores the run takes between {Text.Fixed(seconds / 60 / results.Machine.Cores, 1)} and {Text.Fixed(seconds / 60, 1)} minutes)"
            : "";
        text.AppendLine($"- Run: {results.Started:yyyy-MM-dd HH:mm} UTC, {Text.Fixed(results.Elapsed.TotalMinutes, 1)} minutes{cpu}{(results.Options.Quick ? " (**--quick**: reference models only, few points, short timings)" : "")}.");
        text.AppendLine($"- Machine: {results.Machine}.");
        if (results.LoadAtStart is { } start && results.LoadAtEnd is { } end)
        {
            var busy = Math.Max(start, end) > results.Machine.Cores;
            text.AppendLine($"- Load average (1 min): {Text.Fixed(start, 2)} at the start, {Text.Fixed(end, 2)} at the end" +
                (busy ? $"; above the {results.Machine.Cores} cores, so other work shared the machine and wall times and latencies are noisy upper bounds. Memory, sizes and accuracies do not depend on load." : "."));
        }
        text.AppendLine();
    }

    private static void Section(StringBuilder text, string title, string intro, string body)
    {
        text.AppendLine($"### {title}");
        text.AppendLine();
        text.AppendLine(intro);
        text.AppendLine();
        text.Append(body);
        text.AppendLine();
    }

    private static string Targets(IReadOnlyList<TargetOutcome> targets)
    {
        var table = new MarkdownTable("target", "measured", "verdict");
        foreach (var t in targets) table.Add(t.Target, t.Measured, t.Verdict);
        return table.ToString();
    }

    private static string Cost(BenchResults results)
    {
        var table = new MarkdownTable("model", "file MiB", "method", "keep-flops", "kept params", "kept FLOPs", "output MiB", "wall s", "peak RSS MiB", "peak / file");
        foreach (var run in results.Compressions)
        {
            var fileBytes = Repository.SizeOf(run.Model.Path);
            if (run.Failure is not null || run.Report?.Compression is not { } c)
            {
                table.Add(run.Model.Name, Text.MiB(fileBytes), run.Label, Text.Number(run.KeepFlops), "failed", run.Failure ?? "no report", "", "", "", "");
                continue;
            }
            var m = run.Measurement!;
            table.Add(run.Model.Name, Text.MiB(fileBytes), run.Label, Text.Number(run.KeepFlops),
                Text.Percent((double)c.BudgetParametersAfter / c.BudgetParametersBefore), run.KeptFlopsFraction is { } f ? Text.Percent(f) : "-",
                Text.MiB(run.OutputBytes), Text.Fixed(m.Seconds, 2), Text.MiB(m.PeakBytes), Text.Fixed(m.PeakBytes / (double)fileBytes, 2));
        }
        return table.ToString();
    }

    private static string Latency(BenchResults results)
    {
        var table = new MarkdownTable("model", "batch", "threads", "keep-flops", "kept FLOPs", "original ms", "compressed ms", "speedup", "ideal", "speedup / ideal");
        foreach (var r in results.Inference)
        {
            table.Add(r.Model, r.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Threads == 1 ? "1" : $"all ({r.Threads})",
                Text.Number(r.KeepFlops), Text.Percent(r.KeptFlops), Text.Milliseconds(r.OriginalMs), Text.Milliseconds(r.CompressedMs),
                Text.Fixed(r.Speedup, 2) + "x", Text.Fixed(r.Ideal, 2) + "x", Text.Fixed(r.OfIdeal, 2));
        }
        return table.ToString();
    }

    private static void Quality(StringBuilder text, BenchResults results, Repository repository, string reportFolder, string linkBase)
    {
        text.AppendLine("### Quality, compress-only");
        text.AppendLine();
        text.AppendLine("`onnx-lowrank sweep MODEL --data EVAL --keep KEEPS --methods " + string.Join(',', Methods.Swept) + " --budget params|flops`, and the same with " +
            "`--methods auto --calibration CALIB` for the data-aware curve; no retraining. Reference models: calibration on `fmnist-train-512`, evaluation on " +
            "`fmnist-test-2000`, `--normalize 0.2860,0.3530`. Each cell is one compressed model; \"kept\" is the share of the compressible layers' " +
            "parameters (or FLOPs) asked to keep. The MLP's FLOPs per sample equal its weights, so its parameter curve is also its FLOP curve.");
        text.AppendLine();
        foreach (var sweep in results.Sweeps.Where(s => s.Sweep is not null))
        {
            var link = sweep.HtmlPath is null ? "" : $" ([plots]({linkBase}{Path.GetRelativePath(reportFolder, sweep.HtmlPath).Replace('\\', '/')}))";
            var what = sweep.Budget == "flops" ? "FLOPs" : "parameters";
            text.AppendLine($"#### {sweep.Model.Name}: fraction of {what} kept{link}");
            text.AppendLine();
            text.AppendLine(SweepCaption(sweep.Model, sweep.Sweep!, repository));
            text.AppendLine();
            text.Append(SweepTable(sweep));
            text.AppendLine();
            if (sweep.Model.Name == "resnet" && sweep.Budget == "params") text.Append(PaperComparison(sweep));
        }
    }

    private static string SweepCaption(BenchModel model, SweepSection sweep, Repository repository) =>
        $"`{repository.Relative(model.Path)}`, {sweep.Samples} samples of `{sweep.Data}`; the original scores {Text.Percent(sweep.OriginalAccuracy ?? double.NaN)}. " +
        "Cells: accuracy (change in points).";

    private static string SweepTable(QualitySweep sweep)
    {
        var methods = sweep.Points.Select(p => p.Method).Distinct().ToList();
        var table = new MarkdownTable(["keep", .. methods]);
        foreach (var keep in sweep.Points.Select(p => p.KeepFraction).Distinct().Order())
        {
            var cells = methods.Select(m => sweep.Points.FirstOrDefault(p => p.Method == m && p.KeepFraction == keep) is { } p ? Cell(p) : "-");
            table.Add([Text.Number(keep), .. cells]);
        }
        return table.ToString();
    }

    private static string Cell(SweepPoint p) =>
        p.Error is not null ? "unreachable" : $"{Text.Percent(p.Accuracy ?? double.NaN)} ({Text.Points(-(p.AccuracyDropPoints ?? double.NaN))})";

    /// <summary>Our reference CNN's curves beside the ALDS paper's compress-only ResNet20 curve, at the nearest published removal.</summary>
    private static string PaperComparison(QualitySweep sweep)
    {
        var text = new StringBuilder();
        text.AppendLine("Beside the ALDS paper's compress-only curve (ResNet20 on CIFAR-10, read off its plot; [ALGORITHMS.md](ALGORITHMS.md) section 7). " +
            "Different network and data set, so only the shape compares: how much can go before accuracy falls.");
        text.AppendLine();
        var table = new MarkdownTable("parameters removed", "ALDS paper, ResNet20 (removed: change)", "ours, alds weight-only", "ours, auto + calibration");
        foreach (var keep in sweep.Points.Select(p => p.KeepFraction).Distinct().OrderDescending())
        {
            var paper = AldsPaperCurve.Nearest(1 - keep);
            if (paper is null) continue;
            table.Add(Text.Percent(1 - keep, 0), $"{Text.Percent(paper.Value.Removed, 1)}: {Text.Points(paper.Value.ChangePoints)} pt",
                Change(sweep, Methods.Alds, keep), Change(sweep, QualitySweep.CalibratedLabel, keep));
        }
        text.Append(table.ToString());
        text.AppendLine();
        return text.ToString();
    }

    private static string Change(QualitySweep sweep, string method, double keep) =>
        sweep.Points.FirstOrDefault(p => p.Method == method && p.KeepFraction == keep) is { AccuracyDropPoints: { } drop } ? $"{Text.Points(-drop)} pt" : "-";

    private static void Notes(StringBuilder text, BenchResults results)
    {
        if (results.Notes.Count == 0 && results.Problems.Count == 0) return;
        text.AppendLine("### Left out and problems");
        text.AppendLine();
        foreach (var note in results.Notes) text.AppendLine($"- {note}");
        foreach (var problem in results.Problems) text.AppendLine($"- **problem**: {problem}");
        text.AppendLine();
    }
}

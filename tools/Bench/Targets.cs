namespace OnnxLowRank.Bench;

/// <summary>A target of issue #7, what this run measured against it, and whether it was met (null: not measured).</summary>
internal sealed record TargetOutcome(string Target, string Measured, bool? Met, string Verdict);

/// <summary>Checks the run's figures against the targets issue #7 sets; figures, not tests: a miss is reported, not failed.</summary>
internal static class Targets
{
    /// <param name="complete">False while the run goes on: its duration is not yet a figure.</param>
    public static List<TargetOutcome> Evaluate(BenchResults results, bool complete) =>
    [
        DataAwareRemoval(results),
        .. SpeedupAtHalfFlops(results),
        .. Resnet50Cost(results),
        RunTime(results, complete),
    ];

    /// <summary>The suite's own limit: the full run under 30 minutes on 2 cores, the quick one under 3.</summary>
    private static TargetOutcome RunTime(BenchResults results, bool complete)
    {
        var limit = results.Options.Quick ? 3 : 30;
        var target = $"the {(results.Options.Quick ? "--quick" : "full")} run finishes in under {limit} minutes";
        if (!complete) return new TargetOutcome(target, "in progress", null, "not measured");
        if (results.Options.Models is not null) return new TargetOutcome(target, "not measured: --models ran part of the suite", null, "not measured");
        var minutes = results.Elapsed.TotalMinutes;
        var met = minutes < limit;
        return new TargetOutcome(target, $"{Text.Fixed(minutes, 1)} min on {results.Machine.Cores} cores", met,
            met ? "met" : $"**not met**: {Text.Fixed(minutes - limit, 1)} min over");
    }

    private static TargetOutcome DataAwareRemoval(BenchResults results)
    {
        const string target = "auto + calibration removes >= 60% of the reference CNN's compressible weights at <= 1.0 pt accuracy drop";
        var points = results.Sweeps.Where(s => s.Model.Name == "resnet" && s.Budget == "params")
            .SelectMany(s => s.Points).Where(p => p.Method == QualitySweep.CalibratedLabel && p.AccuracyDropPoints is not null).ToList();
        if (points.Count == 0) return new TargetOutcome(target, "not measured", null, "not measured");
        var within = points.Where(p => p.AccuracyDropPoints <= 1.0).ToList();
        var best = within.MaxBy(p => 1 - p.KeptFraction!.Value);
        var bestText = best is null ? "no point within 1.0 pt" : $"{Text.Percent(1 - best.KeptFraction!.Value, 1)} removed at {Text.Points(-best.AccuracyDropPoints!.Value)} pt";
        var atSixty = points.Where(p => p.KeepFraction <= 0.4 + 1e-9).MaxBy(p => p.KeepFraction);
        var sixtyText = atSixty is null ? "" : $"; at keep {Text.Number(atSixty.KeepFraction)}: {Text.Points(-atSixty.AccuracyDropPoints!.Value)} pt";
        var met = best is not null && 1 - best.KeptFraction!.Value >= 0.6 - 1e-3;
        var verdict = met ? "met"
            : atSixty is null ? "**not met**: no point at 60% removed"
            : $"**not met**: {Text.Fixed(atSixty.AccuracyDropPoints!.Value - 1.0, 2)} pt over the limit at 60% removed";
        return new TargetOutcome(target, $"largest removal within 1.0 pt: {bestText}{sixtyText}", met, verdict);
    }

    private static IEnumerable<TargetOutcome> SpeedupAtHalfFlops(BenchResults results)
    {
        var rows = results.Inference.Where(r => r.Model == "resnet" && r.Threads == 1 && Math.Abs(r.KeepFlops - 0.5) < 1e-9).ToList();
        if (rows.Count == 0)
        {
            yield return new TargetOutcome("reference CNN at keep-flops 0.5, one thread: >= 0.8 x the ideal speedup", "not measured", null, "not measured");
            yield break;
        }
        foreach (var row in rows)
        {
            var met = row.OfIdeal >= 0.8;
            yield return new TargetOutcome(
                $"reference CNN at keep-flops 0.5, one thread, batch {row.Batch}: >= 0.8 x the ideal speedup",
                $"{Text.Fixed(row.Speedup, 2)}x of an ideal {Text.Fixed(row.Ideal, 2)}x = {Text.Fixed(row.OfIdeal, 3)} of ideal",
                // Three decimals: a ratio just under 0.8 must not print as 0.80.
                met, met ? "met" : $"**not met**: {Text.Fixed(0.8 - row.OfIdeal, 3)} short of 0.8");
        }
    }

    private static IEnumerable<TargetOutcome> Resnet50Cost(BenchResults results)
    {
        var run = results.Compressions.FirstOrDefault(c => c.Model.Name == "resnet50" && c.Method == Methods.Alds && !c.Calibrated
            && Math.Abs(c.KeepFlops - BenchPlan.CostKeep) < 1e-9 && c.Measurement is { ExitCode: 0 });
        if (run is null)
        {
            yield return new TargetOutcome("resnet50: alds compression under 60 s, peak memory under 4 x the file", "not measured", null, "not measured");
            yield break;
        }
        var seconds = run.Measurement!.Seconds;
        yield return new TargetOutcome("resnet50: full alds compression under 60 s", $"{Text.Fixed(seconds, 1)} s (keep-flops {Text.Number(run.KeepFlops)})",
            seconds < 60, seconds < 60 ? "met" : $"**not met**: {Text.Fixed(seconds - 60, 1)} s over");
        var ratio = run.Measurement.PeakBytes / (double)Repository.SizeOf(run.Model.Path);
        yield return new TargetOutcome("resnet50: peak memory under 4 x the model file", $"{Text.MiB(run.Measurement.PeakBytes)} MiB = {Text.Fixed(ratio, 2)} x the file",
            ratio < 4, ratio < 4 ? "met" : $"**not met**: {Text.Fixed(ratio - 4, 2)} x the file over");
    }
}

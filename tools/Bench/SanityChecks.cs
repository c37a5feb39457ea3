namespace OnnxLowRank.Bench;

/// <summary>
/// The checks a run must pass whatever the machine: every step finished, compressed models are smaller than
/// their originals, latencies are positive, accuracies and agreements lie in [0, 1], errors are finite.
/// They catch a broken pipeline, not a slow one: speed and quality targets are reported, never failed.
/// </summary>
internal static class SanityChecks
{
    public static IEnumerable<string> Of(BenchResults results)
    {
        foreach (var run in results.Compressions)
        {
            var name = $"compress {run.Model.Name} {run.Label} keep-flops {Text.Number(run.KeepFlops)}";
            if (run.Failure is not null)
            {
                yield return $"{name}: {run.Failure}";
                continue;
            }
            if (run.Measurement is not { Seconds: > 0, PeakBytes: > 0 }) yield return $"{name}: no time or memory was measured";
            if (run.Report!.Compressed is not { } compressed || compressed.Parameters >= run.Report.Original.Parameters)
                yield return $"{name}: the compressed model does not have fewer parameters than the original";
            if (run.OutputBytes >= Repository.SizeOf(run.Model.Path))
                yield return $"{name}: the compressed file is not smaller than the original";
            if (run.KeptFlopsFraction is not (> 0 and <= 1)) yield return $"{name}: kept FLOPs fraction {run.KeptFlopsFraction} is outside (0, 1]";
        }
        foreach (var row in results.Inference)
        {
            if (!(row.OriginalMs > 0 && row.CompressedMs > 0 && double.IsFinite(row.OriginalMs) && double.IsFinite(row.CompressedMs)))
                yield return $"latency {row.Model} batch {row.Batch}: {row.OriginalMs} ms / {row.CompressedMs} ms are not positive";
        }
        foreach (var sweep in results.Sweeps)
        {
            foreach (var failure in sweep.Failures) yield return failure;
            foreach (var p in sweep.Points.Where(p => p.Error is null))
            {
                var name = $"sweep {sweep.Model.Name} {p.Method} keep {Text.Number(p.KeepFraction)}";
                if (p.Accuracy is { } a && a is not (>= 0 and <= 1)) yield return $"{name}: accuracy {a} is outside [0, 1]";
                if (p.TopOneAgreement is { } g && g is not (>= 0 and <= 1)) yield return $"{name}: agreement {g} is outside [0, 1]";
                if (p.RelativeL2Error is not { } e || !double.IsFinite(e) || e < 0) yield return $"{name}: relative error {p.RelativeL2Error} is not a finite non-negative number";
                if (p.KeptFraction is not (> 0 and <= 1)) yield return $"{name}: kept fraction {p.KeptFraction} is outside (0, 1]";
            }
            if (sweep.Sweep?.OriginalAccuracy is { } original && original is not (>= 0 and <= 1))
                yield return $"sweep {sweep.Model.Name}: original accuracy {original} is outside [0, 1]";
        }
        // A run restricted by --models may leave whole sections out on purpose.
        if (results.Options.Models is not null) yield break;
        if (results.Compressions.Count == 0) yield return "no compression was measured";
        if (results.Inference.Count == 0) yield return "no latency was measured";
        if (!results.Sweeps.Any(s => s.Points.Any())) yield return "no quality sweep produced a point";
    }
}

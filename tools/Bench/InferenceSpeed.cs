namespace OnnxLowRank.Bench;

/// <summary>One latency comparison: a model compressed to keep a share of its FLOPs against the original, at one batch size and thread count.</summary>
internal sealed record InferenceRow(string Model, int Batch, int Threads, double KeepFlops, double KeptFlops, double OriginalMs, double CompressedMs)
{
    public double Speedup => OriginalMs / CompressedMs;

    /// <summary>What removing FLOPs would give if time followed the factorized layers' multiply-accumulates alone.</summary>
    public double Ideal => 1 / KeptFlops;

    public double OfIdeal => Speedup / Ideal;
}

/// <summary>Latency of each model's original and its alds compressions at the plan's FLOP budgets, one thread and every core.</summary>
internal static class InferenceSpeed
{
    public static List<InferenceRow> Measure(BenchModel model, IReadOnlyList<CompressionRun> variants, LatencySettings settings, TextWriter console)
    {
        var rows = new List<InferenceRow>();
        var paths = new[] { model.Path }.Concat(variants.Select(v => v.OutputPath)).ToList();
        foreach (var batch in model.InferenceBatches)
        {
            foreach (var threads in new[] { 1, Environment.ProcessorCount }.Distinct())
            {
                var medians = LatencyMeter.MedianMs(paths, batch, threads, settings);
                for (var i = 0; i < variants.Count; i++)
                    rows.Add(new InferenceRow(model.Name, batch, threads, variants[i].KeepFlops, variants[i].KeptFlopsFraction!.Value, medians[0], medians[i + 1]));
                console.WriteLine($"  latency {model.Name} batch {batch}, {threads} thread(s): original {Text.Milliseconds(medians[0])} ms, "
                    + string.Join(", ", variants.Select((v, i) => $"keep {Text.Number(v.KeepFlops)} {Text.Milliseconds(medians[i + 1])} ms")));
            }
        }
        return rows;
    }
}

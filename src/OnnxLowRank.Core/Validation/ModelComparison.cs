namespace OnnxLowRank.Core.Validation;

/// <summary>The result of running an original and a compressed model on the same inputs.</summary>
/// <param name="Data">What the inputs were (a file name, "random (seed 0)").</param>
/// <param name="Samples">Samples run through both models.</param>
/// <param name="BatchSize">Samples per run requested; latency is per run.</param>
/// <param name="HasLabels">Whether accuracy against labels was computed.</param>
/// <param name="Outputs">One comparison per output the two models share, in the original's order.</param>
/// <param name="Original">Latency of the original model.</param>
/// <param name="Compressed">Latency of the compressed model.</param>
/// <param name="Speedup">
/// How many times faster the compressed model ran: the median, over runs of the two models back to back on the
/// same batch, of original time / compressed time; above 1 is faster. Null ("not measured") when either model
/// has fewer timed runs than a stable median needs (<see cref="ComparisonOptions.MinTimedRuns"/>).
/// </param>
public sealed record ModelComparison(
    string Data,
    int Samples,
    int BatchSize,
    bool HasLabels,
    IReadOnlyList<OutputComparison> Outputs,
    LatencySummary Original,
    LatencySummary Compressed,
    double? Speedup = null)
{

    /// <summary>
    /// The output gates and summaries refer to: a token model's first per-token output (its hidden states or logits),
    /// else the first classifier output, else the first output.
    /// </summary>
    public OutputComparison? Primary => Outputs.FirstOrDefault(o => o.Tokens is not null) ?? Outputs.FirstOrDefault(o => o.IsClassifier) ?? Outputs.FirstOrDefault();
}

namespace OnnxLowRank.Core.Validation;

/// <summary>
/// How one output of a compressed model differs from the original's over a whole data set.
/// The error figures treat all values of the output, across every sample, as one vector.
/// </summary>
/// <param name="Name">The output's name.</param>
/// <param name="Elements">Values compared.</param>
/// <param name="Rows">Rows along the last axis (samples times any inner positions), for classifier outputs.</param>
/// <param name="IsClassifier">True when the output has rank 1 to 3 and its last axis more than one entry, so top-1 is defined; rank 4 and more is a map (N, C, H, W).</param>
/// <param name="TopOneAgreement">Fraction of rows whose argmax over the last axis is the same in both models.</param>
/// <param name="OriginalAccuracy">Fraction of rows whose original argmax equals the label (labels given, one row per sample).</param>
/// <param name="CompressedAccuracy">The same for the compressed model.</param>
/// <param name="MaxAbsoluteError">max |a - b|.</param>
/// <param name="RelativeL2Error">||a - b||_2 / ||a||_2 (0 when both are zero, infinity when only a is).</param>
/// <param name="CosineSimilarity">a.b / (||a|| ||b||) (1 when both are zero, 0 when only one is).</param>
/// <param name="Tokens">For an output of one vector per token of a token model: figures over real tokens (then
/// <paramref name="TopOneAgreement"/> is the next-token agreement of logits, and null for embeddings). Else null.</param>
public sealed record OutputComparison(
    string Name,
    long Elements,
    long Rows,
    bool IsClassifier,
    double? TopOneAgreement,
    double? OriginalAccuracy,
    double? CompressedAccuracy,
    double MaxAbsoluteError,
    double RelativeL2Error,
    double CosineSimilarity,
    TokenMetrics? Tokens = null)
{
    /// <summary>Accuracy lost, in percentage points, when labels were given.</summary>
    public double? AccuracyDropPoints => OriginalAccuracy - CompressedAccuracy is { } drop ? drop * 100.0 : null;
}

namespace OnnxLowRank.Cli.Reports;

/// <summary>A grid of compressions (method x keep fraction), each compared with the original on the same data.</summary>
/// <param name="Budget">parameters or flops: what the keep fractions are fractions of.</param>
/// <param name="Data">The inputs the points were measured on.</param>
/// <param name="OriginalAccuracy">The original model's accuracy (labels given), else null.</param>
/// <param name="OriginalMedianMs">The original model's median latency per run, from the first point.</param>
/// <param name="OriginalPerplexity">A language model's perplexity before compression, else null.</param>
public sealed record SweepSection(
    string Budget, string Data, int Samples, double? OriginalAccuracy, double? OriginalMedianMs, IReadOnlyList<SweepPoint> Points,
    double? OriginalPerplexity = null);

/// <summary>One compression and its comparison; when it could not be made, <see cref="Error"/> says why and the measures are null.</summary>
/// <param name="KeptFraction">Share of the budget's cost the allocation kept.</param>
/// <param name="BudgetParameters">Weight parameters of the compressible layers after compression.</param>
/// <param name="BudgetFlops">Their multiply-accumulates per sample after compression.</param>
/// <param name="MaxErrorBound">The worst per-layer relative error bound accepted.</param>
/// <param name="Accuracy">The compressed model's accuracy (labels given).</param>
/// <param name="MeanPooledCosine">A token model's embedding output: mean cosine of mean-pooled vectors with the original's.</param>
/// <param name="Perplexity">A language model's perplexity after compression (the original's is in the section).</param>
public sealed record SweepPoint(
    string Method,
    double KeepFraction,
    double? KeptFraction,
    long? BudgetParameters,
    long? BudgetFlops,
    double? MaxErrorBound,
    double? TopOneAgreement,
    double? Accuracy,
    double? AccuracyDropPoints,
    double? RelativeL2Error,
    double? MedianMs,
    double? Speedup,
    string? Error,
    double? MeanPooledCosine = null,
    double? Perplexity = null);

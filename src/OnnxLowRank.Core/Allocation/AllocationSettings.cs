namespace OnnxLowRank.Core.Allocation;

/// <summary>Knobs shared by the allocators; the defaults are the project's defaults.</summary>
public sealed record AllocationSettings
{
    /// <summary>The defaults.</summary>
    public static AllocationSettings Default { get; } = new();

    /// <summary>Largest channel-slicing k considered (options with a larger k are ignored).</summary>
    public int MaxSliceCount { get; init; } = 8;

    /// <summary>
    /// A layer is only factorized when that saves at least this share of its size; otherwise it stays
    /// whole. Guards against paying error for almost no saving.
    /// </summary>
    public double MinimumSaving { get; init; } = 0.10;

    /// <summary>Lowest rank any factorized layer may get.</summary>
    public int MinimumRank { get; init; } = 1;

    /// <summary>
    /// Ranks of Conv layers are multiples of this, and a Conv is only cut into k &gt; 1 slices when each slice
    /// keeps a multiple of it of input channels (1 allows every rank and k). ONNX Runtime's CPU convolutions
    /// work on channels in blocks (16 with AVX-512, 8 with AVX2): a factor conv whose channel counts fall off
    /// the block is padded up to it or falls back to a slower kernel with layout conversions around it, so an
    /// off-block rank costs the time of the next block up and more. Null leaves it to the budget (see
    /// PipelineOptions.ConvRankMultiple): <see cref="ComputeConvRankMultiple"/> for budgets on compute, 1 for size.
    /// </summary>
    public int? ConvRankMultiple { get; init; }

    /// <summary>The Conv rank multiple for FLOP and latency budgets unless set: 16 suits both block sizes.</summary>
    public const int ComputeConvRankMultiple = 16;

    /// <summary>ARSVD's kept share tau.</summary>
    public double ArsvdTau { get; init; } = 0.95;

    /// <summary>ARSVD's measure of what a rank keeps.</summary>
    public ArsvdRule ArsvdRule { get; init; } = ArsvdRule.Energy;

    internal void Validate()
    {
        if (MaxSliceCount < 1) throw new ArgumentException($"MaxSliceCount must be at least 1, got {MaxSliceCount}.");
        if (double.IsNaN(MinimumSaving) || MinimumSaving < 0 || MinimumSaving >= 1)
            throw new ArgumentException($"MinimumSaving must lie in [0, 1), got {MinimumSaving}.");
        if (MinimumRank < 1) throw new ArgumentException($"MinimumRank must be at least 1, got {MinimumRank}.");
        if (ConvRankMultiple is < 1) throw new ArgumentException($"ConvRankMultiple must be at least 1, got {ConvRankMultiple}.");
        if (double.IsNaN(ArsvdTau) || ArsvdTau <= 0 || ArsvdTau > 1)
            throw new ArgumentException($"ArsvdTau must lie in (0, 1], got {ArsvdTau}.");
    }
}

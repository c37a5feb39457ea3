using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>How <see cref="LowRankCompressor"/> applies a plan.</summary>
public sealed record CompressionOptions
{
    public DiscoveryOptions Discovery { get; init; } = new();

    /// <summary>Rewrite a layer even when its pair is not smaller than the weight (full-rank checks need it).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// False leaves each layer's relative error unmeasured (NaN in its outcome and doc string): measuring sensitivity rewrites
    /// a layer's suffix at a dozen sizes and reads only the engine's outputs, and for a large table forming the residual
    /// cost more than the rewrite.
    /// </summary>
    public bool MeasuresErrors { get; init; } = true;

    /// <summary>Threads computing factors; -1 uses every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

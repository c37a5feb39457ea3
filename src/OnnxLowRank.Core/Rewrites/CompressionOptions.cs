using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>How <see cref="LowRankCompressor"/> applies a plan.</summary>
public sealed record CompressionOptions
{
    public DiscoveryOptions Discovery { get; init; } = new();

    /// <summary>Rewrite a layer even when its pair is not smaller than the weight (full-rank checks need it).</summary>
    public bool Force { get; init; }

    /// <summary>Threads computing factors; -1 uses every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

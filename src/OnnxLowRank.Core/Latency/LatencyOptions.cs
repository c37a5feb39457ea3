namespace OnnxLowRank.Core.Latency;

/// <summary>How layers are timed: a few warm runs, then the median of the timed ones.</summary>
public sealed record LatencyOptions
{
    /// <summary>Runs before timing starts (first-run allocations, caches).</summary>
    public int WarmRuns { get; init; } = 3;

    /// <summary>Timed runs; their median is the layer's time.</summary>
    public int Runs { get; init; } = 15;

    /// <summary>Ranks timed per slice count k, spread from the minimum rank to the highest allowed one.</summary>
    public int RanksPerSliceCount { get; init; } = 5;

    internal void Validate()
    {
        if (WarmRuns < 0) throw new ArgumentException($"WarmRuns must be 0 or more, got {WarmRuns}.");
        if (Runs < 1) throw new ArgumentException($"Runs must be at least 1, got {Runs}.");
        if (RanksPerSliceCount < 2) throw new ArgumentException($"RanksPerSliceCount must be at least 2, got {RanksPerSliceCount}.");
    }
}

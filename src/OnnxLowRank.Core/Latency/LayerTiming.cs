namespace OnnxLowRank.Core.Latency;

/// <summary>One row of the per-layer timing table of a latency-aware compression.</summary>
/// <param name="Name">The layer.</param>
/// <param name="OriginalMilliseconds">The layer as it stands, timed on its own.</param>
/// <param name="ChosenMilliseconds">
/// The chosen pair, timed in alternation with the layer and scaled by the layer's time in that window to
/// <paramref name="OriginalMilliseconds"/>; null when the layer stays whole.
/// </param>
/// <param name="SliceCount">k of the chosen pair; 0 when whole.</param>
/// <param name="Rank">j of the chosen pair; 0 when whole.</param>
/// <param name="Reason">Why the layer ended as it did.</param>
public sealed record LayerTiming(string Name, double OriginalMilliseconds, double? ChosenMilliseconds, int SliceCount, int Rank, string Reason)
{
    public bool IsWhole => Rank == 0;

    public const string Faster = "factorized: the pair is faster";
    public const string NoFasterPair = "whole: no factorization allowed by the minimum saving was measured faster";
    public const string LeftWhole = "whole: the allocator left it whole";
    public const string NotCompressible = "whole: not compressible";
}

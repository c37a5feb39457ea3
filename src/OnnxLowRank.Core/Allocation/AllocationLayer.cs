namespace OnnxLowRank.Core.Allocation;

/// <summary>One layer as an allocator sees it: no ONNX, only sizes and spectra.</summary>
/// <param name="Name">The node name, used in results and messages.</param>
/// <param name="FullSize">Weights of the layer as it stands: g * f_g * c_g * prod(kernel).</param>
/// <param name="CostPerParameter">
/// 1 for a parameter budget; the layer's output positions for a FLOP budget. Unused when
/// <see cref="CostIsLatency"/> is set.
/// </param>
/// <param name="Options">
/// The slicing choices that may be used (k = 1 for plain SVD). A layer with no options always
/// stays whole and counts at full size.
/// </param>
public sealed record AllocationLayer(
    string Name,
    long FullSize,
    double CostPerParameter,
    IReadOnlyList<SliceOption> Options)
{
    /// <summary>
    /// The layer's measured times. When set, a factorization is only allowed when its pair is measured
    /// faster than the layer as it stands (ALGORITHMS.md section 6).
    /// </summary>
    public LatencyProfile? Latency { get; init; }

    /// <summary>
    /// The measured damage of this layer factorized alone at a few sizes, when sensitivity was measured; the
    /// sensitivity allocator chooses whole or a rank within the measured range (see <see cref="DamageCurve"/>). Null otherwise.
    /// </summary>
    public IReadOnlyList<MeasuredDamage>? Damage { get; init; }

    /// <summary>The ranks this layer may take are the multiples of this step (a Conv's rank multiple, see <see cref="AllocationSettings.ConvRankMultiple"/>); 1 allows every rank.</summary>
    public int RankStep { get; init; } = 1;

    /// <summary>The lowest rank on the layer's grid that is at least <paramref name="rank"/>.</summary>
    public int OnGridAbove(int rank) => (rank + RankStep - 1) / RankStep * RankStep;

    /// <summary>The highest rank on the layer's grid that is at most <paramref name="rank"/>.</summary>
    public int OnGridBelow(int rank) => rank / RankStep * RankStep;

    /// <summary>Cost is measured time (a latency budget) instead of size times <see cref="CostPerParameter"/>; needs <see cref="Latency"/>.</summary>
    public bool CostIsLatency { get; init; }

    /// <summary>The layer's cost when left whole.</summary>
    public double FullCost => CostIsLatency ? Latency!.WholeMilliseconds : FullSize * CostPerParameter;

    /// <summary>The cost of k slices at rank j: its size times the cost per parameter, or its measured time.</summary>
    public double CostAt(SliceOption option, int rank) =>
        CostIsLatency ? Latency!.PairMilliseconds(option.SliceCount, rank) : option.SizeAtRank(rank) * CostPerParameter;

    /// <summary>False only when the layer was timed and the pair at (k, j) is not faster than the layer.</summary>
    public bool IsFastEnough(SliceOption option, int rank) => Latency?.IsFaster(option.SliceCount, rank) ?? true;

    internal void Validate()
    {
        if (FullSize < 1)
            throw new ArgumentException($"Layer '{Name}': full size must be positive, got {FullSize}.");
        if (RankStep < 1)
            throw new ArgumentException($"Layer '{Name}': rank step must be at least 1, got {RankStep}.");
        if (double.IsNaN(CostPerParameter) || double.IsInfinity(CostPerParameter) || CostPerParameter <= 0)
            throw new ArgumentException($"Layer '{Name}': cost per parameter must be positive and finite, got {CostPerParameter}.");
        if (CostIsLatency && Latency is null)
            throw new ArgumentException($"Layer '{Name}': a latency cost needs the layer's measured times.");
        foreach (var option in Options) option.Validate(Name, FullSize);
        if (Damage?.FirstOrDefault(d => double.IsNaN(d.Damage) || double.IsInfinity(d.Damage) || d.Damage < 0) is { } bad)
            throw new ArgumentException($"Layer '{Name}': measured damage at k={bad.SliceCount}, rank {bad.Rank} must be finite and at least 0, got {bad.Damage}.");
    }
}

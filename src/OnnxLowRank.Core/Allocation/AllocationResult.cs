namespace OnnxLowRank.Core.Allocation;

/// <summary>The outcome of one allocation, per layer and in total.</summary>
/// <param name="Allocator">The allocator's registry name.</param>
/// <param name="Layers">One entry per input layer, in input order.</param>
/// <param name="TotalCost">The cost of every layer left whole.</param>
/// <param name="TargetCost">The budget in cost units; null when there was none.</param>
/// <param name="KeptCost">The cost of the allocation.</param>
/// <param name="MinimumSaving">What the minimum-saving rule cost.</param>
public sealed record AllocationResult(
    string Allocator,
    IReadOnlyList<LayerAllocation> Layers,
    double TotalCost,
    double? TargetCost,
    double KeptCost,
    MinimumSavingReport MinimumSaving)
{
    /// <summary>
    /// The multiple the Conv ranks were chosen on: the one asked for, or one of its divisors when the budget could
    /// not be met on that grid (see CompressionPipeline.Allocate).
    /// </summary>
    public int ConvRankMultiple { get; init; } = 1;

    /// <summary>KeptCost / TotalCost.</summary>
    public double KeptFraction => TotalCost > 0 ? KeptCost / TotalCost : 1;

    /// <summary>The worst layer's error bound.</summary>
    public double MaxErrorBound => Layers.Count == 0 ? 0 : Layers.Max(l => l.ErrorBound);
}

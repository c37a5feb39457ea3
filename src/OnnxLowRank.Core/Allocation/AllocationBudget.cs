namespace OnnxLowRank.Core.Allocation;

/// <summary>What share of the total cost to keep, or no budget at all (ARSVD's own rule decides).</summary>
public sealed record AllocationBudget
{
    private AllocationBudget(double? keepFraction) => KeepFraction = keepFraction;

    /// <summary>The fraction of the total cost to keep, in (0, 1]; null when there is no budget.</summary>
    public double? KeepFraction { get; }

    /// <summary>No budget: only an allocator with its own stopping rule (arsvd) accepts it.</summary>
    public static AllocationBudget None { get; } = new((double?)null);

    /// <summary>Keep at most this fraction of the total cost, and no less than 1% of the total below it.</summary>
    public static AllocationBudget Keep(double fraction)
    {
        if (double.IsNaN(fraction) || fraction <= 0 || fraction > 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The keep fraction must lie in (0, 1].");
        return new AllocationBudget(fraction);
    }
}

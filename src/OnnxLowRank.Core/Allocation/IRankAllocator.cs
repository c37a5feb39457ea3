namespace OnnxLowRank.Core.Allocation;

/// <summary>Chooses, for every layer, whole or a slicing k and a rank j, under a budget.</summary>
public interface IRankAllocator
{
    /// <summary>The registry name (alds, global-energy, svd-energy, arsvd, uniform).</summary>
    string Name { get; }

    /// <summary>
    /// Allocates ranks. Throws <see cref="BudgetUnreachableException"/> when the budget is below what
    /// every layer at its minimum size keeps, and <see cref="ArgumentException"/> for malformed input.
    /// </summary>
    AllocationResult Allocate(IReadOnlyList<AllocationLayer> layers, AllocationBudget budget, AllocationSettings settings);
}

namespace OnnxLowRank.Core.Allocation;

/// <summary>Chooses, for every layer, whole or a slicing k and a rank j, under a budget.</summary>
public interface IRankAllocator
{
    /// <summary>The registry name (alds, global-energy, svd-energy, arsvd, uniform).</summary>
    string Name { get; }

    /// <summary>
    /// True when it allocates only under a budget (a fraction to keep). False when it also has a rule of its own
    /// per layer, ARSVD's kept share <see cref="AllocationSettings.ArsvdTau"/>: only such an allocator takes an
    /// energy threshold instead of a budget, and a sweep over keep fractions leaves it out by default.
    /// </summary>
    bool NeedsBudget { get; }

    /// <summary>
    /// True when it may cut a layer into k &gt; 1 channel slices (so analysis and timing must cover every k up to
    /// <see cref="AllocationSettings.MaxSliceCount"/>); false when it takes k = 1 only.
    /// </summary>
    bool UsesSlices { get; }

    /// <summary>
    /// True when it chooses among sizes whose damage to the network's outputs was measured in the engine
    /// (<see cref="AllocationLayer.Damage"/>): the analysis must then measure sensitivity, which needs calibration data.
    /// </summary>
    bool NeedsMeasuredDamage { get; }

    /// <summary>
    /// Allocates ranks. Throws <see cref="BudgetUnreachableException"/> when the budget is below what
    /// every layer at its minimum size keeps, and <see cref="ArgumentException"/> for malformed input.
    /// </summary>
    AllocationResult Allocate(IReadOnlyList<AllocationLayer> layers, AllocationBudget budget, AllocationSettings settings);
}

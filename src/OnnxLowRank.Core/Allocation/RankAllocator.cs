namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// What every allocator shares: its registry name and capabilities, and the checked problem it is handed
/// (settings, layers and budget validated, a budget required where <see cref="NeedsBudget"/>).
/// </summary>
public abstract class RankAllocator(string name, bool needsBudget, bool usesSlices, bool needsMeasuredDamage = false) : IRankAllocator
{
    public string Name => name;

    public bool NeedsBudget => needsBudget;

    public bool UsesSlices => usesSlices;

    public bool NeedsMeasuredDamage => needsMeasuredDamage;

    public AllocationResult Allocate(IReadOnlyList<AllocationLayer> layers, AllocationBudget budget, AllocationSettings settings) =>
        Allocate(new AllocationProblem(layers, budget, settings, this));

    /// <summary>Allocates the checked problem; under a budget, <see cref="AllocationProblem.TargetCost"/> is set.</summary>
    private protected abstract AllocationResult Allocate(AllocationProblem problem);
}

namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// torchprune's SVD-Frobenius baseline: one global threshold t on the discarded share of squared
/// singular values; each layer takes the smallest rank discarding at most t. k = 1. The threshold
/// is the smallest candidate share whose total fits the budget.
/// </summary>
public sealed class SvdEnergyAllocator() : RankAllocator(RegistryName, needsBudget: true, usesSlices: false)
{
    public const string RegistryName = "svd-energy";

    private protected override AllocationResult Allocate(AllocationProblem problem)
    {
        var target = problem.TargetCost!.Value;
        var spectra = SingleSliceAllocation.ReachableSpectra(problem);

        var shares = spectra.OfType<SingleSliceSpectrum>()
            .SelectMany(s => s.GridRanks().Select(s.DiscardedEnergy))
            .Distinct().Order().ToArray();
        // Discarding at most t is keeping at least -t: the kept share -discarded rises with rank.
        RankChoice[] ChoicesAt(double share) => SingleSliceAllocation.Choices(problem, spectra,
            s => SingleSliceAllocation.SmallestRankKeeping(s, r => -s.DiscardedEnergy(r), -share), SingleSliceAllocation.DiscardedEnergy);
        var current = ThresholdSearch.FirstWithin(shares, ChoicesAt, target,
            () => SingleSliceAllocation.Cheapest(problem, spectra, SingleSliceAllocation.DiscardedEnergy));

        BudgetFill.Spend(SingleSliceAllocation.Ladders(problem, spectra, SingleSliceAllocation.DiscardedEnergy), current, target);
        return problem.Finish(current);
    }
}

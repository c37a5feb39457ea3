namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// The same rank ratio r in every layer: j = ceil(r * max rank), rounded up to the layer's rank grid and at
/// least its lowest rank. k = 1. r is the
/// largest candidate ratio whose total fits; leftover budget goes where discarded energy falls most
/// per unit of cost.
/// </summary>
public sealed class UniformAllocator() : RankAllocator(RegistryName, needsBudget: true, usesSlices: false)
{
    public const string RegistryName = "uniform";

    // r = j / max rank times max rank must give back j, not j + 1 from rounding.
    private const double RatioTolerance = 1e-9;

    private protected override AllocationResult Allocate(AllocationProblem problem)
    {
        var target = problem.TargetCost!.Value;
        var spectra = SingleSliceAllocation.ReachableSpectra(problem);

        var ratios = spectra.OfType<SingleSliceSpectrum>()
            .SelectMany(s => Enumerable.Range(1, s.MaxRank).Select(j => (double)j / s.MaxRank))
            .Append(0.0)
            .Distinct().OrderDescending().ToArray();
        RankChoice[] ChoicesAt(double ratio) => SingleSliceAllocation.Choices(problem, spectra,
            s => OnGrid(s, (int)Math.Ceiling(ratio * s.MaxRank - RatioTolerance)), SingleSliceAllocation.DiscardedEnergy);
        // Ratio 0 is every layer at its lowest rank, which the reachable spectra fit.
        var current = ThresholdSearch.FirstWithin(ratios, ChoicesAt, target, () => ChoicesAt(0.0));

        BudgetFill.Spend(SingleSliceAllocation.Ladders(problem, spectra, SingleSliceAllocation.DiscardedEnergy), current, target);
        return problem.Finish(current);
    }

    /// <summary>The rank rounded up to the layer's grid, kept between its lowest rank and the highest grid rank.</summary>
    private static int OnGrid(SingleSliceSpectrum spectrum, int rank)
    {
        var up = spectrum.Layer.OnGridAbove(rank);
        return Math.Clamp(up, spectrum.LowestRank, Math.Max(spectrum.LowestRank, spectrum.Layer.OnGridBelow(spectrum.MaxRank)));
    }
}

namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// ARSVD: each layer takes the smallest rank that keeps a share tau of its spectrum's energy (or,
/// with the entropy rule, of its spectral entropy). k = 1. Without a budget tau is the setting and
/// the size falls where it falls; with one, tau is the largest candidate share whose total fits.
/// </summary>
public sealed class ArsvdAllocator() : RankAllocator(RegistryName, needsBudget: false, usesSlices: false)
{
    public const string RegistryName = "arsvd";

    // A share reached up to rounding counts as reached, so hand-set tau values like 0.9 behave.
    private const double ShareTolerance = 1e-12;

    private protected override AllocationResult Allocate(AllocationProblem problem)
    {
        var spectra = SingleSliceAllocation.Spectra(problem);
        Func<int, double> Kept(SingleSliceSpectrum s) =>
            problem.Settings.ArsvdRule == ArsvdRule.Energy ? r => 1 - s.DiscardedEnergy(r) : s.KeptEntropy;
        Func<int, double> Lost(SingleSliceSpectrum s)
        {
            var kept = Kept(s);
            return r => 1 - kept(r);
        }
        RankChoice[] ChoicesAt(double tau) => SingleSliceAllocation.Choices(problem, spectra,
            s => SingleSliceAllocation.SmallestRankKeeping(s, Kept(s), tau - ShareTolerance), Lost);

        if (problem.TargetCost is not { } target) return problem.Finish(ChoicesAt(problem.Settings.ArsvdTau));

        problem.EnsureReachable(SingleSliceAllocation.CheapestTotal(problem, spectra));
        var taus = spectra.OfType<SingleSliceSpectrum>()
            .SelectMany(s => s.GridRanks().Select(Kept(s)))
            .Distinct().OrderDescending().ToArray();
        var current = ThresholdSearch.FirstWithin(taus, ChoicesAt, target, () => SingleSliceAllocation.Cheapest(problem, spectra, Lost));

        BudgetFill.Spend(SingleSliceAllocation.Ladders(problem, spectra, Lost), current, target);
        return problem.Finish(current);
    }
}

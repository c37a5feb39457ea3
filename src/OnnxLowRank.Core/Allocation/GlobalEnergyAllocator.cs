namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// Greedy global energy: every layer starts at its break-even rank (the highest the minimum saving
/// allows); then, across all layers, the singular direction with the least relative energy
/// s_j^2 / sum s^2 per unit of cost it saves is dropped, until the budget is met. It minimises the
/// total discarded relative energy rather than the worst layer's error. k = 1.
/// </summary>
public sealed class GlobalEnergyAllocator : IRankAllocator
{
    public const string RegistryName = "global-energy";

    public string Name => RegistryName;

    public AllocationResult Allocate(IReadOnlyList<AllocationLayer> layers, AllocationBudget budget, AllocationSettings settings)
    {
        var problem = new AllocationProblem(layers, budget, settings, Name, needsBudget: true);
        var target = problem.TargetCost!.Value;
        var spectra = SingleSliceAllocation.ReachableSpectra(problem);

        var current = SingleSliceAllocation.Choices(problem, spectra, s => s.HighestAllowedRank, SingleSliceAllocation.DiscardedEnergy);
        var total = SingleSliceAllocation.Total(current);
        // Energy per unit of cost of a layer's top direction; within a layer it only grows as ranks drop.
        var drops = new PriorityQueue<int, (double EnergyPerCost, int Layer, int Rank)>(DropOrder.Instance);
        void OfferDrop(int layer)
        {
            var rank = current[layer].Rank;
            if (spectra[layer] is not { } spectrum || rank <= settings.MinimumRank) return;
            var saved = spectrum.CostAtRank(rank) - spectrum.CostAtRank(rank - 1);
            drops.Enqueue(layer, (spectrum.DirectionEnergy(rank) / saved, layer, rank));
        }
        for (var layer = 0; layer < current.Length; layer++) OfferDrop(layer);

        while (true)
        {
            // The running total may drift by rounding; the exact sum decides when to stop.
            if (total <= target && (total = SingleSliceAllocation.Total(current)) <= target) break;
            if (!drops.TryDequeue(out var layer, out _)) break;
            var spectrum = spectra[layer]!;
            var rank = current[layer].Rank - 1;
            total -= current[layer].Cost - spectrum.CostAtRank(rank);
            current[layer] = spectrum.ChoiceAt(rank, spectrum.DiscardedEnergy(rank));
            OfferDrop(layer);
        }

        BudgetFill.Spend(SingleSliceAllocation.Ladders(problem, spectra, SingleSliceAllocation.DiscardedEnergy), current, target);
        return problem.Finish(current);
    }

    /// <summary>Least energy per cost first; ties go to the earlier layer, then the higher rank.</summary>
    private sealed class DropOrder : IComparer<(double EnergyPerCost, int Layer, int Rank)>
    {
        public static readonly DropOrder Instance = new();

        public int Compare((double EnergyPerCost, int Layer, int Rank) x, (double EnergyPerCost, int Layer, int Rank) y)
        {
            var byEnergy = x.EnergyPerCost.CompareTo(y.EnergyPerCost);
            if (byEnergy != 0) return byEnergy;
            var byLayer = x.Layer.CompareTo(y.Layer);
            return byLayer != 0 ? byLayer : y.Rank.CompareTo(x.Rank);
        }
    }
}

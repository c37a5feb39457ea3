namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// Greedy global energy: every layer starts whole; then, across all layers, the step with the least
/// discarded relative energy (shares of s^2 of its layer) per unit of cost it saves is taken, until
/// the budget is met. A layer's first step goes from whole to its break-even rank (the highest the
/// minimum saving allows) and is priced as one drop: all the energy past that rank for the cost that
/// step saves. Only after it do single directions drop, one rank at a time (one step of the layer's rank grid). It minimises the total
/// discarded relative energy rather than the worst layer's error. k = 1.
/// </summary>
/// <remarks>
/// Starting every layer at its break-even rank for free factorized small layers whose few directions
/// all carry energy (a 1-channel stem conv, a 10-class head) at ~10% output error even under generous
/// budgets; priced as a step, that error competes with every other layer's cuts.
/// </remarks>
public sealed class GlobalEnergyAllocator() : RankAllocator(RegistryName, needsBudget: true, usesSlices: false)
{
    public const string RegistryName = "global-energy";

    private protected override AllocationResult Allocate(AllocationProblem problem)
    {
        var target = problem.TargetCost!.Value;
        var spectra = SingleSliceAllocation.ReachableSpectra(problem);

        var ladders = SingleSliceAllocation.Ladders(problem, spectra, SingleSliceAllocation.DiscardedEnergy);
        var current = problem.Layers.Select(RankChoice.Whole).ToArray();
        var total = SingleSliceAllocation.Total(current);
        // Energy per unit of cost of a layer's next step; after the first, it only grows as ranks drop.
        var drops = new PriorityQueue<Step, (double EnergyPerCost, int Layer, int Rank)>(DropOrder.Instance);
        void OfferDrop(int layer)
        {
            if (spectra[layer] is not { } spectrum || spectrum.HighestAllowedRank == 0) return;
            var choice = current[layer];
            var rank = choice.IsWhole ? spectrum.HighestAllowedRank : choice.Rank - spectrum.RankStep;
            if (rank < spectrum.LowestRank) return;
            var discarded = choice.IsWhole ? spectrum.DiscardedEnergy(rank) : spectrum.DroppedEnergy(rank, choice.Rank);
            var saved = choice.Cost - spectrum.CostAtRank(rank);
            // A measured time can be flat between ranks: a step that saves nothing goes last.
            drops.Enqueue(new Step(layer, rank, saved), (saved > 0 ? discarded / saved : double.PositiveInfinity, layer, rank));
        }
        for (var layer = 0; layer < current.Length; layer++) OfferDrop(layer);

        // The running total may drift by rounding; the exact sum decides when to stop.
        while (total > target || (total = SingleSliceAllocation.Total(current)) > target)
        {
            if (!drops.TryPeek(out var step, out _)) break;
            if (total - step.Saved <= target && BestClosing(drops, current, target, spectra, ladders) is { } closed)
            {
                current = closed;
                break;
            }
            drops.Dequeue();
            total -= step.Saved;
            current[step.Layer] = spectra[step.Layer]!.ChoiceAt(step.Rank, spectra[step.Layer]!.DiscardedEnergy(step.Rank));
            OfferDrop(step.Layer);
        }

        BudgetFill.Spend(ladders, current, target);
        return problem.Finish(current);
    }

    /// <summary>
    /// The last step only has to close the gap to the target, and what it overshoots is spent again by
    /// <see cref="BudgetFill"/>. Layers' first steps are coarse (at least the minimum saving), so the
    /// cheapest step per unit of cost can overshoot by more than the fill gets back; every offered step
    /// that closes the gap is tried, filled, and the one discarding the least energy in total is kept
    /// (ties go to the earlier in drop order). Null when none closes it by the exact sum.
    /// </summary>
    private static RankChoice[]? BestClosing(
        PriorityQueue<Step, (double EnergyPerCost, int Layer, int Rank)> drops, RankChoice[] current, double target,
        SingleSliceSpectrum?[] spectra, RankChoice[][] ladders)
    {
        RankChoice[]? best = null;
        var bestEnergy = double.PositiveInfinity;
        foreach (var (step, _) in drops.UnorderedItems.OrderBy(i => i.Priority, DropOrder.Instance))
        {
            var trial = (RankChoice[])current.Clone();
            var spectrum = spectra[step.Layer]!;
            trial[step.Layer] = spectrum.ChoiceAt(step.Rank, spectrum.DiscardedEnergy(step.Rank));
            if (SingleSliceAllocation.Total(trial) > target) continue;
            BudgetFill.Spend(ladders, trial, target);
            var energy = trial.Sum(c => c.Score);
            if (energy < bestEnergy) (best, bestEnergy) = (trial, energy);
        }
        return best;
    }

    /// <summary>One offered step: the layer, the rank it goes to and the cost that saves.</summary>
    private readonly record struct Step(int Layer, int Rank, double Saved);

    /// <summary>Least energy per cost first; ties go to the earlier layer, then the higher rank reached.</summary>
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

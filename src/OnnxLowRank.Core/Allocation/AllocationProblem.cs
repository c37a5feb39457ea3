namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// Checked input of one allocation and the rules every allocator shares: which choices the settings
/// allow, the budget in cost units, and how the chosen ranks become a result.
/// </summary>
internal sealed class AllocationProblem
{
    // Savings equal to the minimum up to rounding still count as meeting it.
    private const double SavingTolerance = 1e-12;

    public AllocationProblem(IReadOnlyList<AllocationLayer> layers, AllocationBudget budget, AllocationSettings settings, IRankAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        foreach (var layer in layers) layer.Validate();
        if (allocator.NeedsBudget && budget.KeepFraction is null)
            throw new ArgumentException($"The '{allocator.Name}' allocator needs a budget (a fraction to keep).", nameof(budget));

        Layers = layers;
        Settings = settings;
        Allocator = allocator.Name;
        KeepFraction = budget.KeepFraction;
        foreach (var layer in layers) TotalCost += layer.FullCost;
        TargetCost = KeepFraction * TotalCost;
    }

    public IReadOnlyList<AllocationLayer> Layers { get; }

    public AllocationSettings Settings { get; }

    public string Allocator { get; }

    public double? KeepFraction { get; }

    public double TotalCost { get; }

    public double? TargetCost { get; }

    /// <summary>True when a factorization of this size is strictly smaller and saves at least the minimum share.</summary>
    public bool Allows(AllocationLayer layer, long size) =>
        size < layer.FullSize
        && layer.FullSize - size >= (Settings.MinimumSaving - SavingTolerance) * layer.FullSize;

    /// <summary>The lowest rank the layer may take: the minimum rank, rounded up to the layer's grid.</summary>
    public int LowestRank(AllocationLayer layer) => layer.OnGridAbove(Settings.MinimumRank);

    /// <summary>The layer's options within the slice cap that reach its lowest rank.</summary>
    public IEnumerable<SliceOption> UsableOptions(AllocationLayer layer) =>
        layer.Options.Where(o => o.SliceCount <= Settings.MaxSliceCount && o.MaxRank >= LowestRank(layer));

    /// <summary>
    /// The highest rank on the layer's grid this option may take, or 0 when even the lowest one is not allowed: smaller by the
    /// minimum saving and, for a timed layer, measured faster than the layer (both hold on a prefix of the ranks).
    /// </summary>
    public int HighestAllowedRank(AllocationLayer layer, SliceOption option)
    {
        var perRank = option.SizeAtRank(1);
        var lowest = LowestRank(layer);
        var rank = layer.OnGridBelow((int)Math.Min(option.MaxRank, layer.FullSize / perRank));
        while (rank >= lowest && !(Allows(layer, option.SizeAtRank(rank)) && layer.IsFastEnough(option, rank))) rank -= layer.RankStep;
        return rank >= lowest ? rank : 0;
    }

    /// <summary>Every allowed (k, j) of the layer, scored by its error bound, plus whole.</summary>
    public IEnumerable<RankChoice> ErrorChoices(AllocationLayer layer)
    {
        yield return RankChoice.Whole(layer);
        foreach (var option in UsableOptions(layer))
        {
            var highest = HighestAllowedRank(layer, option);
            for (var rank = LowestRank(layer); rank <= highest; rank += layer.RankStep)
                yield return new RankChoice(option.SliceCount, rank, layer.CostAt(option, rank), option.ErrorBoundAtRank(rank));
        }
    }

    /// <summary>Throws when even the cheapest allocation keeps more than the budget.</summary>
    public void EnsureReachable(double cheapestCost)
    {
        if (TargetCost is { } target && cheapestCost > target)
            throw new BudgetUnreachableException(KeepFraction!.Value, cheapestCost / TotalCost);
    }

    public AllocationResult Finish(IReadOnlyList<RankChoice> choices)
    {
        var allocations = new LayerAllocation[Layers.Count];
        var kept = 0.0;
        for (var i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            var choice = choices[i];
            if (choice.IsWhole)
            {
                allocations[i] = new LayerAllocation(layer.Name, 0, 0, layer.FullSize, layer.FullCost, 0);
            }
            else
            {
                var option = layer.Options.First(o => o.SliceCount == choice.SliceCount);
                var size = option.SizeAtRank(choice.Rank);
                allocations[i] = new LayerAllocation(layer.Name, choice.SliceCount, choice.Rank, size, layer.CostAt(option, choice.Rank), option.ErrorBoundAtRank(choice.Rank));
            }
            kept += allocations[i].Cost;
        }

        var worstError = allocations.Length == 0 ? 0 : allocations.Max(a => a.ErrorBound);
        var keptWhole = 0;
        var forgone = 0.0;
        for (var i = 0; i < Layers.Count; i++)
        {
            if (!allocations[i].IsWhole || RefusedSaving(Layers[i], worstError) is not { } saving) continue;
            keptWhole++;
            forgone += saving;
        }
        return new AllocationResult(Allocator, allocations, TotalCost, TargetCost, kept, new MinimumSavingReport(keptWhole, forgone));
    }

    /// <summary>
    /// The largest saving (in cost units) among the layer's factorizations that the minimum-saving rule
    /// refused although their error bound is no worse than <paramref name="worstError"/>, the worst the
    /// allocation accepted elsewhere, and (for a timed layer) they are faster; null when there is none.
    /// </summary>
    private double? RefusedSaving(AllocationLayer layer, double worstError)
    {
        double? best = null;
        foreach (var option in UsableOptions(layer))
            for (var rank = LowestRank(layer); rank <= option.MaxRank; rank += layer.RankStep)
            {
                var size = option.SizeAtRank(rank);
                if (size >= layer.FullSize) break;
                var saving = layer.FullCost - layer.CostAt(option, rank);
                if (!Allows(layer, size) && layer.IsFastEnough(option, rank) && option.ErrorBoundAtRank(rank) <= worstError && saving > (best ?? 0))
                    best = saving;
            }
        return best;
    }
}

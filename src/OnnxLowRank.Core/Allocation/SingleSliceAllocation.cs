namespace OnnxLowRank.Core.Allocation;

/// <summary>What the plain-SVD (k = 1) allocators share: per-layer spectra, choices, totals and ladders.</summary>
internal static class SingleSliceAllocation
{
    /// <summary>One spectrum per layer; null for a layer with no options, which stays whole.</summary>
    public static SingleSliceSpectrum?[] Spectra(AllocationProblem problem) =>
        problem.Layers.Select(l => l.Options.Count == 0 ? null : new SingleSliceSpectrum(problem, l)).ToArray();

    /// <summary>
    /// The spectra of a budgeted problem, after checking that every layer at its minimum size fits
    /// the budget (otherwise <see cref="BudgetUnreachableException"/>).
    /// </summary>
    public static SingleSliceSpectrum?[] ReachableSpectra(AllocationProblem problem)
    {
        var spectra = Spectra(problem);
        problem.EnsureReachable(CheapestTotal(problem, spectra));
        return spectra;
    }

    /// <summary>The score of the energy-based allocators: the share of squared singular values a rank discards.</summary>
    public static Func<int, double> DiscardedEnergy(SingleSliceSpectrum spectrum) => spectrum.DiscardedEnergy;

    /// <summary>Each layer at the rank <paramref name="rank"/> picks for it (whole where not allowed).</summary>
    public static RankChoice[] Choices(
        AllocationProblem problem,
        SingleSliceSpectrum?[] spectra,
        Func<SingleSliceSpectrum, int> rank,
        Func<SingleSliceSpectrum, Func<int, double>> score)
    {
        var choices = new RankChoice[spectra.Length];
        for (var i = 0; i < spectra.Length; i++)
        {
            if (spectra[i] is not { } spectrum || spectrum.HighestAllowedRank == 0)
            {
                choices[i] = RankChoice.Whole(problem.Layers[i]);
                continue;
            }
            var chosen = rank(spectrum);
            choices[i] = spectrum.ChoiceAt(chosen, score(spectrum)(chosen));
        }
        return choices;
    }

    /// <summary>Every layer at its lowest rank, or whole where that is not allowed.</summary>
    public static RankChoice[] Cheapest(AllocationProblem problem, SingleSliceSpectrum?[] spectra, Func<SingleSliceSpectrum, Func<int, double>> score) =>
        Choices(problem, spectra, s => s.LowestRank, score);

    public static double Total(RankChoice[] choices)
    {
        var total = 0.0;
        foreach (var choice in choices) total += choice.Cost;
        return total;
    }

    public static double CheapestTotal(AllocationProblem problem, SingleSliceSpectrum?[] spectra) =>
        Total(Cheapest(problem, spectra, _ => _ => 0));

    public static RankChoice[][] Ladders(AllocationProblem problem, SingleSliceSpectrum?[] spectra, Func<SingleSliceSpectrum, Func<int, double>> score) =>
        spectra.Select((s, i) => s is null ? [RankChoice.Whole(problem.Layers[i])] : s.Ladder(score(s))).ToArray();

    /// <summary>
    /// The smallest rank on the layer's grid, from its lowest up, whose kept share reaches <paramref name="share"/>
    /// (kept share rises with rank); the highest grid rank when none does.
    /// </summary>
    public static int SmallestRankKeeping(SingleSliceSpectrum spectrum, Func<int, double> kept, double share)
    {
        var step = spectrum.RankStep;
        // The highest grid rank is the fallback, so only the ranks below it are searched.
        var steps = Math.Max(0, (spectrum.MaxRank - spectrum.LowestRank) / step);
        return spectrum.LowestRank + ThresholdSearch.FirstFitting(steps, i => kept(spectrum.LowestRank + i * step) >= share) * step;
    }
}

using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// The sizes a layer is measured at: for each fraction of its parameters, the (k, j) of about that size that the allocators
/// could choose. The options and rank grid are those of <see cref="LayerAnalysis.ToAllocationLayer"/> (data-aware spectra
/// when calibrated, slice counts that keep the Conv rank grid), within the slice cap and from the minimum rank up.
/// </summary>
public static class CandidateSizes
{
    /// <summary>
    /// One candidate per fraction, in the order of <paramref name="fractions"/>; a fraction whose nearest size is not smaller than
    /// the layer (a rank grid coarser than the layer) has none. Where several slice counts reach a fraction, the one with the lowest
    /// error bound at its size wins: a measurement per k would multiply the runs for choices the spectra already rank.
    /// </summary>
    public static IReadOnlyList<CandidateSize> For(LayerAnalysis layer, IReadOnlyList<double> fractions, AllocationSettings settings, int convRankMultiple)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(fractions);
        ArgumentNullException.ThrowIfNull(settings);
        var allocation = layer.ToAllocationLayer(BudgetKind.Parameters, convRankMultiple);
        var lowest = allocation.OnGridAbove(settings.MinimumRank);
        var options = allocation.Options.Where(o => o.SliceCount <= settings.MaxSliceCount && o.MaxRank >= lowest).ToList();
        var candidates = new List<CandidateSize>();
        foreach (var fraction in fractions)
        {
            CandidateSize? best = null;
            var bestError = double.PositiveInfinity;
            foreach (var option in options)
            {
                if (NearestRank(allocation, option, fraction * allocation.FullSize, lowest) is not { } rank) continue;
                var error = option.ErrorBoundAtRank(rank);
                if (error >= bestError) continue;
                bestError = error;
                best = new CandidateSize(fraction, option.SliceCount, rank, option.SizeAtRank(rank));
            }
            if (best is not null) candidates.Add(best);
        }
        return candidates;
    }

    /// <summary>The rank on the layer's grid whose size is nearest <paramref name="target"/> and below the layer's, or null when none is.</summary>
    private static int? NearestRank(AllocationLayer layer, SliceOption option, double target, int lowest)
    {
        var perRank = (double)option.SizeAtRank(1);
        var below = Math.Max(lowest, layer.OnGridBelow((int)Math.Floor(target / perRank)));
        var above = below + layer.RankStep;
        int? best = null;
        foreach (var rank in new[] { below, above })
        {
            if (rank > option.MaxRank || option.SizeAtRank(rank) >= layer.FullSize) continue;
            if (best is null || Math.Abs(option.SizeAtRank(rank) - target) < Math.Abs(option.SizeAtRank(best.Value) - target)) best = rank;
        }
        return best;
    }
}

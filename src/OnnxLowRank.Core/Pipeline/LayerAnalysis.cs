using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>One compressible layer with its spectra and, when the model was run, its output positions.</summary>
/// <param name="OutputPositions">
/// Output elements per output channel for one sample (spatial positions of a Conv, rows of a Gemm),
/// read from an ONNX Runtime run; null when the model was not run.
/// </param>
public sealed record LayerAnalysis(CompressibleLayer Layer, IReadOnlyList<SliceOption> Options, long? OutputPositions)
{
    public string Name => Layer.NodeName;

    public long Parameters => Layer.Geometry.OriginalParameters;

    /// <summary>Multiply-accumulates for one sample, or null without a run.</summary>
    public long? Flops => OutputPositions * Parameters;

    /// <summary>
    /// The smallest rank (k = 1) that keeps at least <paramref name="share"/> of the squared singular
    /// value energy, counted over all groups at a shared rank.
    /// </summary>
    public int RankAtEnergy(double share)
    {
        var option = Options[0];
        var total = option.BlockSpectra.Sum(s => s.Sum(v => v * v));
        if (total <= 0) return 0;
        var kept = 0.0;
        for (var rank = 1; rank <= option.MaxRank; rank++)
        {
            kept += option.BlockSpectra.Sum(s => rank - 1 < s.Length ? s[rank - 1] * s[rank - 1] : 0);
            if (kept >= share * total * (1 - 1e-12)) return rank;
        }
        return option.MaxRank;
    }

    /// <summary>
    /// The fewest parameters of any (k, j) whose relative error bound is at most <paramref name="error"/>,
    /// or the layer's own size when no smaller factorization reaches it.
    /// </summary>
    public long SmallestSizeAtError(double error)
    {
        var best = Parameters;
        foreach (var option in Options)
        {
            for (var rank = 1; rank <= option.MaxRank; rank++)
            {
                if (option.ErrorBoundAtRank(rank) > error) continue;
                best = Math.Min(best, option.SizeAtRank(rank));
                break;
            }
        }
        return best;
    }

    /// <summary>The layer as an allocator sees it, costed by parameters or by FLOPs.</summary>
    public AllocationLayer ToAllocationLayer(BudgetKind budget) => new(
        Name,
        Parameters,
        budget == BudgetKind.Flops
            ? OutputPositions ?? throw new InvalidOperationException($"Layer '{Name}' has no measured output size; FLOP budgets need a model run.")
            : 1,
        Layer.Geometry.CanShrink ? Options : []);
}

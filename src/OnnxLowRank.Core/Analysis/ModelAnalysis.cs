using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Analysis;

/// <summary>
/// What a model offers to compress: every compressible layer with its spectra, the constant-weight
/// layers that stay whole, and every skipped candidate with its reason.
/// </summary>
public sealed record ModelAnalysis(IReadOnlyList<LayerAnalysis> Layers, IReadOnlyList<WholeLayer> WholeLayers, IReadOnlyList<SkippedNode> Skipped)
{
    /// <summary>
    /// The budget's total by parameters: the weights of every constant-weight Gemm, MatMul and Conv and the table of
    /// every embedding Gather over a constant, compressible or not, each constant once (a tied head adds nothing to its
    /// table); biases, norms and every other constant not counted.
    /// </summary>
    public long BudgetParameters => Layers.Sum(l => l.Parameters) + WholeLayers.Sum(l => l.Parameters);

    /// <summary>The calibration statistics the data-aware spectra came from; null when the analysis is weight-only.</summary>
    public CalibrationStatistics? Calibration { get; init; }

    /// <summary>Each layer's measured damage at a grid of sizes and how it was measured, when the analysis measured sensitivity; else null.</summary>
    public SensitivityMeasurement? Sensitivity { get; init; }

    /// <summary>True when every layer was timed (a latency-aware analysis).</summary>
    public bool IsTimed => Layers.Count + WholeLayers.Count > 0 && Layers.All(l => l.Latency is not null) && WholeLayers.All(l => l.Latency is not null);

    /// <summary>
    /// The budget's total by multiply-accumulates per sample, without the layers whose FLOPs cannot be counted
    /// (<see cref="LayerAnalysis.UncountedCost"/>); null when the model was not run.
    /// </summary>
    public long? BudgetFlops
    {
        get
        {
            var layers = CountedLayers(BudgetKind.Flops);
            var whole = CountedWholeLayers(BudgetKind.Flops);
            return layers.All(l => l.Flops.HasValue) && whole.All(l => l.Flops.HasValue)
                ? layers.Sum(l => l.Flops!.Value) + whole.Sum(l => l.Flops!.Value)
                : null;
        }
    }

    /// <summary>The compressible layers a budget of <paramref name="budget"/> counts: a FLOP budget leaves out those whose FLOPs it cannot count.</summary>
    public IReadOnlyList<LayerAnalysis> CountedLayers(BudgetKind budget) =>
        budget == BudgetKind.Flops ? Layers.Where(l => l.UncountedCost is null).ToList() : Layers;

    /// <summary>The whole layers a budget of <paramref name="budget"/> counts, by the same rule as <see cref="CountedLayers"/>.</summary>
    public IReadOnlyList<WholeLayer> CountedWholeLayers(BudgetKind budget) =>
        budget == BudgetKind.Flops ? WholeLayers.Where(l => l.UncountedCost is null).ToList() : WholeLayers;
}

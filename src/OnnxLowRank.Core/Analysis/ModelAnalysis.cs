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
    /// The budget's total by parameters: the weights of every constant-weight Gemm, MatMul and Conv,
    /// compressible or not (biases not counted).
    /// </summary>
    public long BudgetParameters => Layers.Sum(l => l.Parameters) + WholeLayers.Sum(l => l.Parameters);

    /// <summary>The calibration statistics the data-aware spectra came from; null when the analysis is weight-only.</summary>
    public CalibrationStatistics? Calibration { get; init; }

    /// <summary>True when every layer was timed (a latency-aware analysis).</summary>
    public bool IsTimed => Layers.Count + WholeLayers.Count > 0 && Layers.All(l => l.Latency is not null) && WholeLayers.All(l => l.Latency is not null);

    /// <summary>The budget's total by multiply-accumulates per sample; null when the model was not run.</summary>
    public long? BudgetFlops =>
        Layers.All(l => l.Flops.HasValue) && WholeLayers.All(l => l.Flops.HasValue)
            ? Layers.Sum(l => l.Flops!.Value) + WholeLayers.Sum(l => l.Flops!.Value)
            : null;
}

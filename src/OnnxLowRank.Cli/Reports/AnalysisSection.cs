using OnnxLowRank.Core.Analysis;

namespace OnnxLowRank.Cli.Reports;

/// <summary>What analyze found: every compressible layer with its spectrum summary, the layers that stay whole, and why nodes were skipped.</summary>
/// <param name="Calibration">The calibration data when spectra were whitened by it, else null (weights alone).</param>
public sealed record AnalysisSection(
    CalibrationSummary? Calibration,
    long BudgetParameters,
    long? BudgetFlops,
    IReadOnlyList<AnalysedLayer> Layers,
    IReadOnlyList<WholeLayerEntry> WholeLayers,
    IReadOnlyList<SkippedEntry> Skipped)
{
    /// <summary>The energy shares and error levels every analysis reports.</summary>
    public static readonly double[] EnergyShares = [0.90, 0.95, 0.99];

    public static readonly double[] ErrorLevels = [0.05, 0.10, 0.20];

    public static AnalysisSection From(ModelAnalysis analysis) => new(
        CalibrationSummary.Of(analysis),
        analysis.BudgetParameters,
        analysis.BudgetFlops,
        analysis.Layers.Select(l => new AnalysedLayer(
            l.Name,
            l.Layer.Node.OpType,
            l.Layer.Weight.Dims.ToArray(),
            l.Parameters,
            l.Flops,
            l.SliceSpectra.Count == 0 ? 0 : l.SliceSpectra[0].MaxRank,
            EnergyShares.Select(s => new RankAtEnergy(s, l.RankAtEnergy(s))).ToList(),
            ErrorLevels.Select(e => new SizeAtError(e, l.SmallestSizeAtError(e))).ToList())).ToList(),
        analysis.WholeLayers.Select(w => new WholeLayerEntry(w.Name, w.OpType, w.Parameters, w.Flops)).ToList(),
        analysis.Skipped.Select(SkippedEntry.From).ToList());
}

/// <param name="WeightShape">The weight tensor's dimensions as stored.</param>
/// <param name="Flops">Multiply-accumulates per sample, measured with ONNX Runtime; null when not measured.</param>
/// <param name="MaxRank">Full rank of the layer's matrix (per group) without slicing.</param>
public sealed record AnalysedLayer(
    string Name, string OpType, long[] WeightShape, long Parameters, long? Flops, int MaxRank,
    IReadOnlyList<RankAtEnergy> RanksAtEnergy, IReadOnlyList<SizeAtError> SizesAtError);

/// <summary>The smallest rank (k = 1) keeping <paramref name="Share"/> of the squared singular values.</summary>
public sealed record RankAtEnergy(double Share, int Rank);

/// <summary>The fewest parameters of any (k, j) whose relative error bound is at most <paramref name="RelativeError"/> (the layer's own size when none is smaller).</summary>
public sealed record SizeAtError(double RelativeError, long Parameters);

public sealed record WholeLayerEntry(string Name, string OpType, long Parameters, long? Flops);

public sealed record SkippedEntry(string Name, string OpType, string Reason, string Detail)
{
    public static SkippedEntry From(Core.Layers.SkippedNode node) =>
        new(node.NodeName, node.OpType, System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(node.Reason.ToString()), node.Detail);
}

/// <summary>The calibration inputs a data-aware analysis used.</summary>
public sealed record CalibrationSummary(string Source, int Samples)
{
    public static CalibrationSummary? Of(ModelAnalysis analysis) =>
        analysis.Calibration is { } c ? new CalibrationSummary(c.Source, c.Samples) : null;
}

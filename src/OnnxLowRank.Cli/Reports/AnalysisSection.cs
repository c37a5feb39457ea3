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
    /// <summary>Each layer's measured damage to the outputs at a few sizes, when calibration data was given; else null.</summary>
    public SensitivitySummary? Sensitivity { get; init; }

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
        analysis.Skipped.Select(SkippedEntry.From).ToList())
    {
        Sensitivity = SensitivitySummary.Of(analysis),
    };
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

/// <summary>
/// How much each layer alone, factorized to a quarter, half and three quarters of its parameters, changes the model's output:
/// the higher, the more a layer is worth leaving whole (--exclude).
/// </summary>
/// <param name="Output">The output measured (the model's first).</param>
/// <param name="Measure">kl-divergence, embedding-cosine or relative-error (docs/report-schema.md).</param>
/// <param name="Samples">Calibration samples measured on; fewer than <paramref name="SamplesAsked"/> when the data holds fewer.</param>
public sealed record SensitivitySummary(string Output, string Measure, string Source, int Samples, int SamplesAsked, double Seconds, IReadOnlyList<LayerSensitivity> Layers)
{
    public static SensitivitySummary? Of(ModelAnalysis analysis) => analysis.Sensitivity is not { } s ? null : new(
        s.Output, MeasureName(s.Measure), s.Source, s.Samples, s.SamplesAsked, s.Elapsed.TotalSeconds,
        analysis.Layers.Where(l => s.Layers.ContainsKey(l.Name)).Select(l => new LayerSensitivity(l.Name, l.Parameters,
            Core.Sensitivity.SensitivityOptions.TableFractions.Select(f => s.At(l.Name, f)).OfType<SizedDamage>()
                .Select(d => new DamageAtSize(d.Fraction, d.SliceCount, d.Rank, d.Parameters, d.Damage)).ToList())).ToList());

    private static string MeasureName(DamageMeasure measure) => measure switch
    {
        DamageMeasure.Divergence => "kl-divergence",
        DamageMeasure.EmbeddingCosine => "embedding-cosine",
        _ => "relative-error",
    };
}

/// <summary>One layer's measured damage at the table's sizes (a size the layer's rank grid cannot reach below its own is missing).</summary>
public sealed record LayerSensitivity(string Name, long Parameters, IReadOnlyList<DamageAtSize> Damage);

/// <summary>The damage with the layer alone at k slices and rank j, about <paramref name="Fraction"/> of its parameters (<paramref name="Parameters"/> exactly).</summary>
public sealed record DamageAtSize(double Fraction, int SliceCount, int Rank, long Parameters, double Damage);

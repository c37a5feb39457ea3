using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Analysis;

/// <summary>One compressible layer with its spectra and, when the model was run, its output positions.</summary>
/// <param name="SliceSpectra">The weight-space spectra of every slice option.</param>
/// <param name="OutputPositions">
/// Output elements per output channel for one sample (spatial positions of a Conv, rows of a Gemm),
/// read from an ONNX Runtime run; null when the model was not run.
/// </param>
public sealed record LayerAnalysis(CompressibleLayer Layer, IReadOnlyList<SliceOption> SliceSpectra, long? OutputPositions)
{
    public string Name => Layer.NodeName;

    public long Parameters => Layer.Geometry.OriginalParameters;

    /// <summary>
    /// Multiply-accumulates for one sample, or null without a run. An embedding's are its tied head's (positions of the
    /// logits times V H), and null without a head: a lookup multiplies nothing.
    /// </summary>
    public long? Flops => OutputPositions * Parameters;

    /// <summary>
    /// The data-aware spectra (singular values of W S per block, see <see cref="LayerSpectra.Whitened"/>)
    /// when calibration data was given, else null. Allocation uses them when present.
    /// </summary>
    public IReadOnlyList<SliceOption>? DataAwareSliceSpectra { get; init; }

    /// <summary>Where whitening fell short for this layer (a larger ridge, or weight-only blocks); empty when it did not.</summary>
    public IReadOnlyList<string> WhiteningNotes { get; init; } = [];

    /// <summary>
    /// Why a FLOP budget cannot count this layer, else null: it lies inside a Loop whose trip count is not a constant,
    /// a Scan, or a branch the measuring run did not reach; or it is an embedding without a tied head, whose lookup costs
    /// nothing to save (<see cref="SkipReason.NoFlopsToSave"/>). A FLOP budget leaves it whole and out of its total;
    /// a parameter budget counts it as usual.
    /// </summary>
    public string? UncountedCost { get; init; }

    /// <summary>The layer's measured times when the analysis was latency-aware, else null.</summary>
    public LayerLatency? Latency { get; init; }

    /// <summary>
    /// The damage to the network's outputs of this layer factorized alone at each measured size, when the analysis
    /// measured sensitivity; else null. The sensitivity allocator chooses among these sizes only.
    /// </summary>
    public IReadOnlyList<MeasuredDamage>? Sensitivity { get; init; }

    /// <summary>The spectra of one kind; asking for data-aware ones without calibration is an error.</summary>
    public IReadOnlyList<SliceOption> SliceSpectraFor(SpectrumKind kind) => kind == SpectrumKind.Weight
        ? SliceSpectra
        : DataAwareSliceSpectra ?? throw new InvalidOperationException($"Layer '{Name}' has no data-aware spectra: it was analysed without calibration data.");

    /// <summary>
    /// The smallest rank (k = 1) that keeps at least <paramref name="share"/> of the squared singular
    /// value energy, counted over all groups at a shared rank.
    /// </summary>
    public int RankAtEnergy(double share, SpectrumKind kind = SpectrumKind.Weight)
    {
        var option = SliceSpectraFor(kind)[0];
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
    /// sqrt(discarded / total squared singular values) of all blocks at (k, j). On data-aware spectra with
    /// k = 1 this is the relative output error ||(W - W^) X||_F / ||W X||_F on the calibration inputs
    /// (up to the whitening ridge); for k &gt; 1 it leaves out the cross terms between slices.
    /// </summary>
    public double RelativeEnergyError(int sliceCount, int rank, SpectrumKind kind = SpectrumKind.Weight)
    {
        var option = SliceSpectraFor(kind).FirstOrDefault(o => o.SliceCount == sliceCount)
            ?? throw new ArgumentOutOfRangeException(nameof(sliceCount), sliceCount, $"Layer '{Name}' has no option with {sliceCount} slices.");
        double total = 0, discarded = 0;
        foreach (var spectrum in option.BlockSpectra)
            for (var i = 0; i < spectrum.Length; i++)
            {
                total += spectrum[i] * spectrum[i];
                if (i >= rank) discarded += spectrum[i] * spectrum[i];
            }
        return total > 0 ? Math.Sqrt(discarded / total) : 0;
    }

    /// <summary>
    /// The fewest parameters of any (k, j) whose relative error bound is at most <paramref name="error"/>,
    /// or the layer's own size when no smaller factorization reaches it.
    /// </summary>
    public long SmallestSizeAtError(double error, SpectrumKind kind = SpectrumKind.Weight)
    {
        var best = Parameters;
        foreach (var option in SliceSpectraFor(kind))
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

    /// <summary>
    /// The layer as an allocator sees it, costed by parameters, FLOPs or measured time, on data-aware spectra
    /// when there are any; when timed, only pairs measured faster than the layer are allowed. A Conv gets the
    /// rank grid of <paramref name="convRankMultiple"/> and only the slice counts that keep it.
    /// </summary>
    public AllocationLayer ToAllocationLayer(BudgetKind budget, int convRankMultiple)
    {
        var step = Layer.RankStep(convRankMultiple);
        var options = Layer.Geometry.CanShrink ? DataAwareSliceSpectra ?? SliceSpectra : [];
        return new AllocationLayer(
            Name,
            Parameters,
            budget == BudgetKind.Flops
                ? OutputPositions ?? throw new InvalidOperationException($"Layer '{Name}' has no measured output size; FLOP budgets need a model run.")
                : 1,
            options.Where(o => Layer.SlicesKeepBlocks(o.SliceCount, step)).ToList())
        {
            RankStep = step,
            Latency = Latency?.Profile,
            Damage = Sensitivity,
            CostIsLatency = budget == BudgetKind.Latency
                && (Latency ?? throw new InvalidOperationException($"Layer '{Name}' was not timed; a latency budget needs latency-aware analysis.")) is not null,
        };
    }
}

using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// SVD-LLM's data-aware factors (ALGORITHMS.md section 5): per group and slice, with S S^T the block's
/// input second moment, truncate W S = U Sigma V^T instead of W, so that
/// ||(W - P Q) X||_F^2 = count * sum_{i>j} sigma_i(W S)^2 on the calibration inputs (see <see cref="WhitenedBlock"/>).
/// A layer without statistics, or a block whose inputs carry no signal, is factorized on its weight alone.
/// With bias correction, <see cref="LayerFactorization.OutputShift"/> is (W - P Q) mean(x), and the blocks are
/// whitened by their input covariance (the bias then restores the mean; what is left to minimise is centered).
/// An embedding with token counts in <paramref name="embeddings"/> takes the row-weighted SVD of its table
/// (<see cref="RowWeightedEmbedding"/>); a lookup has no bias, so it gets no output shift.
/// </summary>
public sealed class WhitenedFactorizer(
    IReadOnlyDictionary<string, LayerInputStatistics> statistics, double relativeRidge = Whitening.DefaultRelativeRidge, bool correctBias = true,
    IReadOnlyDictionary<string, TokenFrequencies>? embeddings = null)
    : ILayerFactorizer
{
    public const string FactorizerName = "whitened";

    // Kernel-first, as the spectra the allocator had for such a layer were.
    private static readonly WeightSvdFactorizer WeightOnly = new(chooseFactorOrder: false);

    public string Name => FactorizerName;

    public bool IsPlainSvd => false;

    public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank) =>
        FactorizeAtRanks(layer, weight, sliceCount, [rank])[0];

    /// <summary>
    /// Every factor pair here is a truncated SVD (of the whitened block, or of the row-weighted table), whose pairs at a lower
    /// rank are the leading ones: the highest rank is computed once and cut; the output shift is the cut factors' own.
    /// </summary>
    public IReadOnlyList<LayerFactorization> FactorizeAtRanks(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, IReadOnlyList<int> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var highest = ranks.Max();
        if (layer.Kind == LayerKind.Embedding && embeddings?.GetValueOrDefault(layer.NodeName) is { } frequencies)
        {
            var table = RowWeightedEmbedding.Factor(weight.Full, frequencies, highest, LinearAlgebra.Default);
            return ranks.Select(rank => new LayerFactorization(weight.Geometry, sliceCount, rank, [table.Leading(rank)])).ToList();
        }
        if (!statistics.TryGetValue(layer.NodeName, out var stats))
            return ranks.Select(rank => WeightOnly.Factorize(layer, weight, sliceCount, rank)).ToList();
        var g = weight.Geometry;
        stats.CheckFits(layer, g, "input statistics");

        var width = g.SliceColumns(sliceCount);
        var backend = LinearAlgebra.Default;
        var blocks = new List<LowRankFactors>(g.Groups * sliceCount);
        for (var group = 0; group < g.Groups; group++)
            for (var slice = 0; slice < sliceCount; slice++)
                blocks.Add(WhitenedBlock.Factor(weight.Slice(group, slice, sliceCount), stats, group, slice * width, highest, relativeRidge, correctBias, backend));
        return ranks.Select(rank =>
        {
            var factors = blocks.Select(b => b.Leading(rank)).ToList();
            return new LayerFactorization(g, sliceCount, rank, factors)
            {
                OutputShift = correctBias && stats.VectorCount > 0 ? OutputShift(weight, stats, factors, sliceCount) : null,
            };
        }).ToList();
    }

    /// <summary>(W - P Q) mu per output channel, summed over a group's slices.</summary>
    private static double[] OutputShift(WeightMatrixView weight, LayerInputStatistics stats, IReadOnlyList<LowRankFactors> factors, int sliceCount)
    {
        var g = weight.Geometry;
        var width = g.SliceColumns(sliceCount);
        var shift = new double[g.OutputChannels];
        for (var group = 0; group < g.Groups; group++)
        {
            var mean = stats.Mean(group);
            for (var slice = 0; slice < sliceCount; slice++)
            {
                var mu = mean.AsSpan(slice * width, width);
                var block = weight.Slice(group, slice, sliceCount);
                var factored = factors[group * sliceCount + slice].Times(mu);
                for (var o = 0; o < g.OutputsPerGroup; o++)
                    shift[group * g.OutputsPerGroup + o] += ManagedGram.Dot(block.Values.AsSpan(o * width, width), mu) - factored[o];
            }
        }
        return shift;
    }
}

using OnnxLowRank.Core.Calibration;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>
/// SVD-LLM's data-aware factors (ALGORITHMS.md section 5): per group and slice, with S S^T the block's
/// input second moment, truncate W S = U Sigma V^T instead of W. The factors P = U_j Sigma_j^1/2 and
/// Q = Sigma_j^1/2 V_j^T S^-1 = Sigma_j^-1/2 U_j^T W (as V^T = Sigma^-1 U^T W S), so Q needs neither
/// an inverse nor a triangular solve, and ||(W - P Q) X||_F^2 = sum_{i>j} sigma_i(W S)^2 * count.
/// A layer without statistics, or a block without a whitening factor, is factorized on its weight alone.
/// With bias correction, <see cref="LayerFactorization.OutputShift"/> is (W - P Q) mean(x).
/// </summary>
public sealed class WhitenedFactorizer(
    IReadOnlyDictionary<string, LayerInputStatistics> statistics, double relativeRidge = Whitening.DefaultRelativeRidge, bool correctBias = true)
    : ILayerFactorizer
{
    public const string FactorizerName = "whitened";

    private static readonly WeightSvdFactorizer WeightOnly = new();

    public string Name => FactorizerName;

    public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank)
    {
        if (!statistics.TryGetValue(layer.NodeName, out var stats)) return WeightOnly.Factorize(layer, weight, sliceCount, rank);
        var g = weight.Geometry;
        if (stats.Groups != g.Groups || stats.Columns != g.GroupColumns)
            throw new ArgumentException($"The input statistics of '{layer.NodeName}' describe {stats.Groups} groups of {stats.Columns} columns, the weight {g.Groups} of {g.GroupColumns}.", nameof(layer));

        var width = g.SliceColumns(sliceCount);
        var backend = LinearAlgebra.Default;
        var factors = new List<LowRankFactors>(g.Groups * sliceCount);
        for (var group = 0; group < g.Groups; group++)
            for (var slice = 0; slice < sliceCount; slice++)
            {
                var block = weight.Slice(group, slice, sliceCount);
                var whitening = Whitening.Of(stats, group, slice * width, width, relativeRidge);
                factors.Add(whitening.Factor is { } s ? Factor(block, s, rank, backend) : TruncatedSvd.Factor(block, rank, backend));
            }
        return new LayerFactorization(g, sliceCount, rank, factors)
        {
            OutputShift = correctBias && stats.VectorCount > 0 ? OutputShift(weight, stats, factors, sliceCount) : null,
        };
    }

    /// <summary>P = U_j Sigma_j^1/2 of W S, then Q = Sigma_j^-1 P^T W (a direction with sigma = 0 gets a zero row).</summary>
    private static LowRankFactors Factor(RowMajorMatrix w, RowMajorMatrix s, int rank, ILinearAlgebraBackend backend)
    {
        var p = TruncatedSvd.Factor(backend.Multiply(w, false, s, false), rank, backend).P;
        var q = backend.Multiply(p, true, w, false);
        for (var t = 0; t < rank; t++)
        {
            var sigma = 0.0;
            for (var r = 0; r < p.Rows; r++) sigma += p[r, t] * p[r, t];
            var row = q.Values.AsSpan(t * q.Columns, q.Columns);
            var scale = sigma > 0 ? 1 / sigma : 0;
            foreach (ref var x in row) x *= scale;
        }
        return new LowRankFactors(p, q);
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
                var f = factors[group * sliceCount + slice];
                var qmu = new double[f.Q.Rows];
                for (var t = 0; t < qmu.Length; t++) qmu[t] = ManagedGram.Dot(f.Q.Values.AsSpan(t * width, width), mu);
                for (var o = 0; o < g.OutputsPerGroup; o++)
                    shift[group * g.OutputsPerGroup + o] += ManagedGram.Dot(block.Values.AsSpan(o * width, width), mu)
                        - ManagedGram.Dot(f.P.Values.AsSpan(o * f.P.Columns, f.P.Columns), qmu);
            }
        }
        return shift;
    }
}

using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Sequential calibration's refit (ALGORITHMS.md section 5): a layer whose input x' in the partly compressed model
/// differs from its input x in the original gets the rank-j factors that minimise ||W X - W^ X'||_F over the
/// calibration vectors, not ||W X - W^ X||_F, so it makes up for the error of the layers before it.
/// Per group, with G' = X' X'^T and C = X X'^T: the best unconstrained map is W* = W C (G' + lambda I)^-1, and since
/// W X - W* X' is orthogonal to the rows of X', ||W X - W^ X'||^2 = ||W X - W* X'||^2 + ||(W* - W^) X'||^2; the second
/// term is the whitened truncation of W* by G' (<see cref="WhitenedBlock"/>, per slice as for the plain factors).
/// With bias correction everything is centered and the output shift is W mean(x) - W^ mean(x'), which keeps the
/// layer's mean output. Layers without paired statistics, or with fewer than
/// <paramref name="minimumVectorsPerColumn"/> calibration vectors per weight column, go to <paramref name="fallback"/>.
/// </summary>
public sealed class RefitFactorizer(
    IReadOnlyDictionary<string, PairedInputStatistics> statistics, ILayerFactorizer fallback,
    double relativeRidge = Whitening.DefaultRelativeRidge, bool correctBias = true,
    int minimumVectorsPerColumn = RefitFactorizer.DefaultMinimumVectorsPerColumn)
    : ILayerFactorizer
{
    /// <summary>
    /// A least-squares map fitted to n vectors of m columns fits them better than new inputs by a share of about m / n
    /// of the error: with 512 samples, the reference MLP's 256 to 1024 input columns (one vector per sample) lost
    /// 0.4 to 1.25 points of test accuracy to the refit, while the CNN's convolutions (43 or more patches per
    /// column) gained up to 3 points (docs/benchmarks.md).
    /// </summary>
    public const int DefaultMinimumVectorsPerColumn = 16;

    public string Name => fallback.Name;

    public bool IsPlainSvd => fallback.IsPlainSvd;

    public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank)
    {
        if (!statistics.TryGetValue(layer.NodeName, out var paired)
            || paired.Compressed.VectorCount < Math.Max(1L, (long)minimumVectorsPerColumn * paired.Compressed.Columns))
            return fallback.Factorize(layer, weight, sliceCount, rank);
        var g = weight.Geometry;
        var stats = paired.Compressed;
        stats.CheckFits(layer, g, "paired input statistics");

        var width = g.SliceColumns(sliceCount);
        var backend = LinearAlgebra.Default;
        var factors = new List<LowRankFactors>(g.Groups * sliceCount);
        var shift = correctBias ? new double[g.OutputChannels] : null;
        for (var group = 0; group < g.Groups; group++)
        {
            var w = weight.Group(group);
            var target = BestMap(w, paired, group, relativeRidge, correctBias, backend);
            var compressedMean = stats.Mean(group);
            var groupFactors = new List<LowRankFactors>(sliceCount);
            for (var slice = 0; slice < sliceCount; slice++)
                groupFactors.Add(WhitenedBlock.Factor(Columns(target, slice * width, width), stats, group, slice * width, rank, relativeRidge, correctBias, backend));
            factors.AddRange(groupFactors);
            if (shift is not null) AddShift(shift, group, w, paired.OriginalMean(group), compressedMean, groupFactors, width);
        }
        return new LayerFactorization(g, sliceCount, rank, factors) { OutputShift = shift };
    }

    /// <summary>
    /// W* = W C (G' + lambda I)^-1 for one group, C and G' centered when asked; W itself when the compressed inputs
    /// have no Cholesky factor (no signal), which makes the refit the plain whitened factorization.
    /// </summary>
    private static RowMajorMatrix BestMap(
        RowMajorMatrix w, PairedInputStatistics paired, int group, double relativeRidge, bool centered, ILinearAlgebraBackend backend)
    {
        var stats = paired.Compressed;
        var m = w.Columns;
        if (Whitening.Of(stats, group, 0, m, relativeRidge, centered).Factor is not { } s) return w;
        var count = (double)stats.VectorCount;
        var cross = new RowMajorMatrix(m, m);
        var source = paired.CrossSum(group);
        var mean = paired.OriginalMean(group);
        var compressedMean = stats.Mean(group);
        for (var i = 0; i < m; i++)
            for (var j = 0; j < m; j++)
                cross.Values[i * m + j] = source[i * m + j] / count - (centered ? mean[i] * compressedMean[j] : 0);
        var target = backend.Multiply(w, false, cross, false);
        // Each row b of W C becomes b (S S^T)^-1: solve S y = b, then S^T z = y (rows of S^T are contiguous).
        var st = s.Transpose();
        var y = new double[m];
        for (var r = 0; r < target.Rows; r++)
        {
            var row = target.Values.AsSpan(r * m, m);
            for (var i = 0; i < m; i++)
                y[i] = (row[i] - ManagedGram.Dot(s.Values.AsSpan(i * m, i), y.AsSpan(0, i))) / s.Values[i * m + i];
            for (var i = m - 1; i >= 0; i--)
                row[i] = (y[i] - ManagedGram.Dot(st.Values.AsSpan(i * m + i + 1, m - i - 1), row[(i + 1)..])) / s.Values[i * m + i];
        }
        return target;
    }

    private static RowMajorMatrix Columns(RowMajorMatrix matrix, int first, int width)
    {
        if (first == 0 && width == matrix.Columns) return matrix;
        var block = new RowMajorMatrix(matrix.Rows, width);
        for (var r = 0; r < matrix.Rows; r++)
            Array.Copy(matrix.Values, r * matrix.Columns + first, block.Values, r * width, width);
        return block;
    }

    /// <summary>W mean(x) - sum over slices P (Q mean(x')) for the group's output channels.</summary>
    private static void AddShift(
        double[] shift, int group, RowMajorMatrix w, double[] mean, double[] compressedMean, IReadOnlyList<LowRankFactors> factors, int width)
    {
        var rows = w.Rows;
        for (var o = 0; o < rows; o++) shift[group * rows + o] += ManagedGram.Dot(w.Values.AsSpan(o * w.Columns, w.Columns), mean);
        for (var slice = 0; slice < factors.Count; slice++)
        {
            var factored = factors[slice].Times(compressedMean.AsSpan(slice * width, width));
            for (var o = 0; o < rows; o++) shift[group * rows + o] -= factored[o];
        }
    }
}

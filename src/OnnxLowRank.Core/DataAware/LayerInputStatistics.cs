using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// What calibration saw at one layer's input, per convolution group: over the sampled input vectors x
/// (Gemm and MatMul rows, Conv im2col patches of the group's channels, laid out as the weight matrix's
/// columns: channel * prod(kernel) + kernel offset), the sum of x x^T and the sum of x.
/// </summary>
public sealed class LayerInputStatistics
{
    private readonly double[][] _outerProductSums;
    private readonly double[][] _sums;

    /// <param name="columns">Length of one input vector: the columns of a group's weight matrix.</param>
    /// <param name="outerProductSums">Per group, sum x x^T (columns x columns, row-major).</param>
    /// <param name="sums">Per group, sum x.</param>
    /// <param name="vectorCount">How many input vectors were summed (the same for every group).</param>
    public LayerInputStatistics(int columns, IReadOnlyList<double[]> outerProductSums, IReadOnlyList<double[]> sums, long vectorCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(vectorCount);
        if (outerProductSums.Count < 1 || outerProductSums.Count != sums.Count)
            throw new ArgumentException($"{outerProductSums.Count} outer-product sums and {sums.Count} sums do not describe the same groups.", nameof(sums));
        if (outerProductSums.Any(c => c.Length != (long)columns * columns) || sums.Any(s => s.Length != columns))
            throw new ArgumentException($"Every group needs a {columns} x {columns} outer-product sum and a sum of {columns} values.", nameof(outerProductSums));
        Columns = columns;
        VectorCount = vectorCount;
        _outerProductSums = outerProductSums.ToArray();
        _sums = sums.ToArray();
    }

    public int Groups => _sums.Length;

    /// <summary>Refuses statistics whose groups and vector length are not those of the weight they are to factorize.</summary>
    /// <param name="kind">What the statistics are called in the message.</param>
    internal void CheckFits(CompressibleLayer layer, WeightGeometry geometry, string kind)
    {
        if (Groups != geometry.Groups || Columns != geometry.GroupColumns)
            throw new ArgumentException(
                $"The {kind} of '{layer.NodeName}' describe {Groups} groups of {Columns} columns, the weight {geometry.Groups} of {geometry.GroupColumns}.", nameof(layer));
    }

    public int Columns { get; }

    public long VectorCount { get; }

    /// <summary>C_g = sum x x^T over the group's input vectors (row-major; not a copy).</summary>
    public IReadOnlyList<double> OuterProductSum(int group) => _outerProductSums[group];

    /// <summary>sum x over the group's input vectors (not a copy).</summary>
    public IReadOnlyList<double> Sum(int group) => _sums[group];

    /// <summary>The mean input vector of a group (zeros when nothing was seen).</summary>
    public double[] Mean(int group) => _sums[group].Select(s => VectorCount == 0 ? 0 : s / VectorCount).ToArray();

    /// <summary>
    /// The block [first, first + width) of sum x x^T (the whole group's array itself when the block is all of it, else a
    /// copy), with the mean diagonal of the block's second moment C_g / count, or of the covariance C_g / count - mu mu^T
    /// when <paramref name="centered"/>: the scale a ridge is relative to.
    /// </summary>
    internal (RowMajorMatrix Sums, double MeanDiagonal) OuterProductBlock(int group, int firstColumn, int width, bool centered)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstColumn + width, Columns);
        var source = _outerProductSums[group];
        var block = firstColumn == 0 && width == Columns ? new RowMajorMatrix(width, width, source) : new RowMajorMatrix(width, width);
        if (!ReferenceEquals(block.Values, source))
            for (var r = 0; r < width; r++)
                Array.Copy(source, (firstColumn + r) * Columns + firstColumn, block.Values, r * width, width);
        if (VectorCount == 0) return (block, 0);
        var mean = Mean(group);
        var diagonal = 0.0;
        for (var i = 0; i < width; i++)
            diagonal += block.Values[i * width + i] / VectorCount - (centered ? mean[firstColumn + i] * mean[firstColumn + i] : 0);
        return (block, diagonal / width);
    }

    /// <summary>
    /// The block [first, first + width) of the second moment C_g / count, or of the covariance C_g / count - mu mu^T
    /// when <paramref name="centered"/>: the statistics of one channel slice (a copy).
    /// </summary>
    public RowMajorMatrix SecondMoment(int group, int firstColumn, int width, bool centered = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstColumn + width, Columns);
        var source = _outerProductSums[group];
        var scale = VectorCount == 0 ? 0 : 1.0 / VectorCount;
        var mean = Mean(group);
        var block = new RowMajorMatrix(width, width);
        for (var r = 0; r < width; r++)
            for (var c = 0; c < width; c++)
                block.Values[r * width + c] = source[(firstColumn + r) * Columns + firstColumn + c] * scale
                    - (centered ? mean[firstColumn + r] * mean[firstColumn + c] : 0);
        return block;
    }
}

using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// What calibration saw at one layer's input, per convolution group: over the sampled input vectors x
/// (Gemm and MatMul rows, Conv im2col patches of the group's channels, laid out as the weight matrix's
/// columns: channel * prod(kernel) + kernel offset), the sum of x x^T and the sum of x. While fewer vectors
/// were seen than a vector has entries, the vectors themselves are kept instead of sum x x^T: they take less
/// memory (a 16384-column layer's sum x x^T alone is 2 GiB), and W (sum x x^T) W^T is formed as (W X)(W X)^T.
/// </summary>
public sealed class LayerInputStatistics
{
    private readonly double[][]? _outerProductSums;
    private readonly RowMajorMatrix[]? _vectors;
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

    /// <param name="vectors">Per group, the input vectors themselves, one a column (columns x count, the same for every group).</param>
    public LayerInputStatistics(IReadOnlyList<RowMajorMatrix> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count < 1 || vectors[0].Rows < 1 || vectors.Any(v => v.Rows != vectors[0].Rows || v.Columns != vectors[0].Columns))
            throw new ArgumentException("Every group needs input vectors of the same nonzero length, as many in each.", nameof(vectors));
        Columns = vectors[0].Rows;
        VectorCount = vectors[0].Columns;
        _vectors = vectors.ToArray();
        _sums = _vectors.Select(RowTotals).ToArray();
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

    /// <summary>C_g = sum x x^T over the group's input vectors (row-major; formed anew when the vectors were kept, else not a copy).</summary>
    public IReadOnlyList<double> OuterProductSum(int group) =>
        _outerProductSums?[group] ?? GramMatrix.OfRows(_vectors![group], LinearAlgebra.Default);

    /// <summary>sum x over the group's input vectors (not a copy).</summary>
    public IReadOnlyList<double> Sum(int group) => _sums[group];

    /// <summary>The mean input vector of a group (zeros when nothing was seen).</summary>
    public double[] Mean(int group) => _sums[group].Select(s => VectorCount == 0 ? 0 : s / VectorCount).ToArray();

    /// <summary>
    /// The mean diagonal of the block [first, first + width) of the second moment C_g / count, or of the covariance
    /// C_g / count - mu mu^T when <paramref name="centered"/>: the scale a ridge is relative to.
    /// </summary>
    internal double MeanDiagonal(int group, int firstColumn, int width, bool centered)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstColumn + width, Columns);
        if (VectorCount == 0) return 0;
        var mean = Mean(group);
        var diagonal = 0.0;
        for (var i = firstColumn; i < firstColumn + width; i++)
        {
            double square;
            if (_outerProductSums is { } sums) square = sums[group][(long)i * Columns + i];
            else square = ManagedGram.Dot(VectorRow(group, i), VectorRow(group, i));
            diagonal += square / VectorCount - (centered ? mean[i] * mean[i] : 0);
        }
        return diagonal / width;
    }

    /// <summary>
    /// W B W^T (W.Rows square, row-major) for B the block [first, first + W.Columns) of sum x x^T: from the kept vectors
    /// X as (W X)(W X)^T, never forming B.
    /// </summary>
    internal double[] Sandwich(RowMajorMatrix w, int group, int firstColumn, ILinearAlgebraBackend backend)
    {
        var width = w.Columns;
        ArgumentOutOfRangeException.ThrowIfNegative(firstColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstColumn + width, Columns);
        if (_vectors is not null) return GramMatrix.OfRows(backend.Multiply(w, false, VectorBlock(group, firstColumn, width), false), backend);
        var source = _outerProductSums![group];
        var block = firstColumn == 0 && width == Columns ? new RowMajorMatrix(width, width, source) : new RowMajorMatrix(width, width);
        if (!ReferenceEquals(block.Values, source))
            for (var r = 0; r < width; r++)
                Array.Copy(source, (firstColumn + r) * Columns + firstColumn, block.Values, r * width, width);
        return backend.Multiply(backend.Multiply(w, false, block, false), false, w, true).Values;
    }

    /// <summary>
    /// The block [first, first + width) of the second moment C_g / count, or of the covariance C_g / count - mu mu^T
    /// when <paramref name="centered"/>: the statistics of one channel slice (a copy).
    /// </summary>
    public RowMajorMatrix SecondMoment(int group, int firstColumn, int width, bool centered = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstColumn + width, Columns);
        var scale = VectorCount == 0 ? 0 : 1.0 / VectorCount;
        var mean = Mean(group);
        // Kept vectors give the block's sums as X_b X_b^T, X_b the block's rows of X.
        var (source, stride, offset) = _outerProductSums is { } sums
            ? (sums[group], Columns, (long)firstColumn * Columns + firstColumn)
            : (GramMatrix.OfRows(VectorBlock(group, firstColumn, width), LinearAlgebra.Default), width, 0L);
        var block = new RowMajorMatrix(width, width);
        for (var r = 0; r < width; r++)
            for (var c = 0; c < width; c++)
                block.Values[r * width + c] = source[offset + (long)r * stride + c] * scale
                    - (centered ? mean[firstColumn + r] * mean[firstColumn + c] : 0);
        return block;
    }

    private static double[] RowTotals(RowMajorMatrix vectors)
    {
        var totals = new double[vectors.Rows];
        for (var r = 0; r < totals.Length; r++)
            foreach (var v in vectors.Values.AsSpan(r * vectors.Columns, vectors.Columns)) totals[r] += v;
        return totals;
    }

    /// <summary>Entry <paramref name="column"/> of every kept vector of the group.</summary>
    private ReadOnlySpan<double> VectorRow(int group, int column)
    {
        var vectors = _vectors![group];
        return vectors.Values.AsSpan(column * vectors.Columns, vectors.Columns);
    }

    /// <summary>Entries [first, first + width) of every kept vector of the group (width x count, a copy).</summary>
    private RowMajorMatrix VectorBlock(int group, int firstColumn, int width)
    {
        var vectors = _vectors![group];
        var block = new RowMajorMatrix(width, vectors.Columns);
        Array.Copy(vectors.Values, (long)firstColumn * vectors.Columns, block.Values, 0, (long)width * vectors.Columns);
        return block;
    }
}

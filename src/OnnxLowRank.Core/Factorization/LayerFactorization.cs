using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Factorization;

/// <summary>
/// The factors of one layer: for each group g and slice i, W_{g,i} ~ P Q with P (f_g x j) and
/// Q (j x c_g / k * prod(kernel)). Listed group-major, then slice, as the rewrites lay them out.
/// An <see cref="FactorOrder.InputFirst"/> Conv has one pair of the other unfolding: P (f K x j), Q (j x c).
/// </summary>
public sealed class LayerFactorization
{
    private readonly LowRankFactors[] _factors;

    public LayerFactorization(WeightGeometry geometry, int sliceCount, int rank, IReadOnlyList<LowRankFactors> factors,
        FactorOrder order = FactorOrder.KernelFirst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (factors.Count != geometry.Groups * sliceCount)
            throw new ArgumentException($"{geometry.Groups} groups of {sliceCount} slices need {geometry.Groups * sliceCount} factor pairs, got {factors.Count}.", nameof(factors));
        if (order == FactorOrder.InputFirst && (geometry.Groups != 1 || sliceCount != 1 || geometry.InputChannels != geometry.OutputChannels))
            throw new ArgumentException("Input-first factors need a Conv of one group, one slice and as many inputs as outputs.", nameof(order));
        var (rows, columns) = order == FactorOrder.InputFirst
            ? (geometry.OutputChannels * geometry.KernelSize, geometry.InputChannels)
            : (geometry.OutputsPerGroup, geometry.SliceColumns(sliceCount));
        foreach (var f in factors)
        {
            if (f.P.Rows != rows || f.P.Columns != rank || f.Q.Rows != rank || f.Q.Columns != columns)
                throw new ArgumentException(
                    $"Factors {f.P.Rows}x{f.P.Columns} and {f.Q.Rows}x{f.Q.Columns} do not fit {rows}x{rank} and {rank}x{columns}.", nameof(factors));
        }
        Geometry = geometry;
        SliceCount = sliceCount;
        Rank = rank;
        Order = order;
        _factors = factors.ToArray();
    }

    public WeightGeometry Geometry { get; }

    /// <summary>Which factor holds a Conv's kernel; always kernel-first for Gemm and MatMul.</summary>
    public FactorOrder Order { get; }

    /// <summary>
    /// ||W - W^||_2 / ||W||_2 when it was measured with the factors (an input-first pair is measured to choose its
    /// order), so that <see cref="FactorizationError"/> does not form the residual again; null otherwise.
    /// </summary>
    public double? MeasuredRelativeError { get; init; }

    /// <summary>k: channel slices per group.</summary>
    public int SliceCount { get; }

    /// <summary>j: the rank of every slice.</summary>
    public int Rank { get; }

    /// <summary>Parameters of the factorized pair (the same in both orders: input-first needs as many inputs as outputs).</summary>
    public long Parameters => Geometry.FactoredParameters(SliceCount, Rank);

    /// <summary>
    /// Added to the layer's output per output channel, in units of W x: (W - W^) mean(x) over calibration
    /// data, so the rewritten layer keeps the original's mean output. Null for none.
    /// </summary>
    public double[]? OutputShift
    {
        get => _outputShift;
        init
        {
            if (value is not null && value.Length != Geometry.OutputChannels)
                throw new ArgumentException($"An output shift needs {Geometry.OutputChannels} values, got {value.Length}.", nameof(value));
            _outputShift = value;
        }
    }

    private readonly double[]? _outputShift;

    public LowRankFactors this[int group, int slice] => _factors[group * SliceCount + slice];
}

using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>
/// The factors of one layer: for each group g and slice i, W_{g,i} ~ P Q with P (f_g x j) and
/// Q (j x c_g / k * prod(kernel)). Listed group-major, then slice, as the rewrites lay them out.
/// </summary>
public sealed class LayerFactorization
{
    private readonly LowRankFactors[] _factors;

    public LayerFactorization(WeightGeometry geometry, int sliceCount, int rank, IReadOnlyList<LowRankFactors> factors)
    {
        var columns = geometry.SliceColumns(sliceCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (factors.Count != geometry.Groups * sliceCount)
            throw new ArgumentException($"{geometry.Groups} groups of {sliceCount} slices need {geometry.Groups * sliceCount} factor pairs, got {factors.Count}.", nameof(factors));
        foreach (var f in factors)
        {
            if (f.P.Rows != geometry.OutputsPerGroup || f.P.Columns != rank || f.Q.Rows != rank || f.Q.Columns != columns)
                throw new ArgumentException(
                    $"Factors {f.P.Rows}x{f.P.Columns} and {f.Q.Rows}x{f.Q.Columns} do not fit {geometry.OutputsPerGroup}x{rank} and {rank}x{columns}.", nameof(factors));
        }
        Geometry = geometry;
        SliceCount = sliceCount;
        Rank = rank;
        _factors = factors.ToArray();
    }

    public WeightGeometry Geometry { get; }

    /// <summary>k: channel slices per group.</summary>
    public int SliceCount { get; }

    /// <summary>j: the rank of every slice.</summary>
    public int Rank { get; }

    /// <summary>Parameters of the factorized pair.</summary>
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

using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Latency;

/// <summary>
/// Factors of the right shapes filled with seeded random values, for timing a pair: the time of a
/// Conv or Gemm does not depend on its weights, so no SVD is spent on it.
/// </summary>
internal sealed class RandomFactorizer(int seed) : ILayerFactorizer
{
    public string Name => "timing";

    public bool IsPlainSvd => false;

    public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank)
    {
        var random = new Random(seed);
        var g = weight.Geometry;
        var columns = g.SliceColumns(sliceCount);
        var factors = new List<LowRankFactors>(g.Groups * sliceCount);
        for (var i = 0; i < g.Groups * sliceCount; i++)
            factors.Add(new LowRankFactors(Random(random, g.OutputsPerGroup, rank), Random(random, rank, columns)));
        return new LayerFactorization(g, sliceCount, rank, factors);
    }

    private static RowMajorMatrix Random(Random random, int rows, int columns)
    {
        var values = new double[(long)rows * columns];
        for (var i = 0; i < values.Length; i++) values[i] = random.NextDouble() - 0.5;
        return new RowMajorMatrix(rows, columns, values);
    }
}

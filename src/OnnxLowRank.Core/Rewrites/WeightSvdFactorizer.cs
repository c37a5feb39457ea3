using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>Factors every slice of every group by its own truncated SVD: P = U_j S_j^1/2, Q = S_j^1/2 V_j^T.</summary>
public sealed class WeightSvdFactorizer : ILayerFactorizer
{
    public string Name => "svd";

    public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank)
    {
        var g = weight.Geometry;
        var factors = new List<LowRankFactors>(g.Groups * sliceCount);
        for (var group = 0; group < g.Groups; group++)
            for (var slice = 0; slice < sliceCount; slice++)
                factors.Add(TruncatedSvd.Factor(weight.Slice(group, slice, sliceCount), rank));
        return new LayerFactorization(g, sliceCount, rank, factors);
    }
}

using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Factorization;

/// <summary>
/// Factors every slice of every group by its own truncated SVD: P = U_j S_j^1/2, Q = S_j^1/2 V_j^T. Where a Conv
/// allows both factor orders at the same size and FLOPs (<see cref="InputFirstConv.Allows"/>), both are computed
/// and the one with the smaller error ||W - W^||_2 / ||W||_2 is kept: the allocation's error bound, that of the
/// kernel-first order, then still holds.
/// </summary>
/// <param name="chooseFactorOrder">
/// False keeps every Conv kernel-first: latency-aware allocation times kernel-first pairs, and its promise that no
/// kept pair is slower than its layer is about those.
/// </param>
public sealed class WeightSvdFactorizer(bool chooseFactorOrder = true) : ILayerFactorizer
{
    public string Name => "svd";

    public bool IsPlainSvd => true;

    public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank)
    {
        var g = weight.Geometry;
        var factors = new List<LowRankFactors>(g.Groups * sliceCount);
        for (var group = 0; group < g.Groups; group++)
            for (var slice = 0; slice < sliceCount; slice++)
                factors.Add(TruncatedSvd.Factor(weight.Slice(group, slice, sliceCount), rank));
        var kernelFirst = new LayerFactorization(g, sliceCount, rank, factors);
        if (!chooseFactorOrder || !InputFirstConv.Allows(layer, sliceCount)) return kernelFirst;
        // Each order decodes the weight again; the temporaries of one go before the next, or two layers at a time
        // raised resnet50's peak by a sixth.
        LargeTemporaries.Release();
        var inputFirst = InputFirstConv.Factorize(weight, rank);
        LargeTemporaries.Release();
        return inputFirst.MeasuredRelativeError < FactorizationError.Relative(weight, kernelFirst) ? inputFirst : kernelFirst;
    }
}

using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Factorization;

/// <summary>Computes a layer's factors for a given k and j (plain SVD of the weight, or a data-aware variant).</summary>
public interface ILayerFactorizer
{
    /// <summary>Short name written into rewritten nodes' doc strings, e.g. "svd".</summary>
    string Name { get; }

    /// <summary>
    /// True for plain SVD of the weight, the default: rewritten nodes' doc strings then name the method alone,
    /// otherwise the method and this factorizer (alds+whitened).
    /// </summary>
    bool IsPlainSvd { get; }

    LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank);

    /// <summary>
    /// The layer at each of <paramref name="ranks"/>, one k: by default a factorization each. A factorizer whose factors at a
    /// lower rank are the leading part of those at a higher one computes the highest once and truncates it (measuring a
    /// layer's sensitivity factorizes it at a dozen ranks).
    /// </summary>
    IReadOnlyList<LayerFactorization> FactorizeAtRanks(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, IReadOnlyList<int> ranks) =>
        ranks.Select(rank => Factorize(layer, weight, sliceCount, rank)).ToList();
}

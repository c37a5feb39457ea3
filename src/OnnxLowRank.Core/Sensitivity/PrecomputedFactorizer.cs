using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// Hands the compressor factors computed beforehand, one per (k, j) of a single layer: a layer measured at a dozen sizes is
/// factorized once at the highest (<see cref="ILayerFactorizer.FactorizeAtRanks"/>), and each size's suffix is then rewritten
/// by the usual compressor from its cut. Named as the factorizer it stands in for, so the rewritten nodes read the same.
/// </summary>
internal sealed class PrecomputedFactorizer(ILayerFactorizer source, IReadOnlyList<LayerFactorization> factorizations) : ILayerFactorizer
{
    public string Name => source.Name;

    public bool IsPlainSvd => source.IsPlainSvd;

    public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank) =>
        factorizations.FirstOrDefault(f => f.SliceCount == sliceCount && f.Rank == rank)
        ?? throw new InvalidOperationException($"Layer '{layer.NodeName}' was not factorized at k = {sliceCount}, rank {rank} beforehand.");
}

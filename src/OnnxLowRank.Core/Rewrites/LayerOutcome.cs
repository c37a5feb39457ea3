using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>One rewritten layer: k, j, parameters before and after, the relative error ||W - W^||_2 / ||W||_2 and, for a Conv, the factor order.</summary>
public sealed record LayerOutcome(
    string NodeName, LayerKind Kind, int SliceCount, int Rank, long OriginalParameters, long NewParameters, double RelativeError,
    FactorOrder Order = FactorOrder.KernelFirst);

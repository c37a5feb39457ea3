
namespace OnnxLowRank.Core.Allocation;

/// <summary>What a keep fraction is a fraction of.</summary>
public enum BudgetKind
{
    /// <summary>The weights of every compressible layer (biases not counted).</summary>
    Parameters,

    /// <summary>The multiply-accumulates of every compressible layer for one sample.</summary>
    Flops,

    /// <summary>No global budget: ARSVD keeps a share of each layer's energy.</summary>
    Energy,

    /// <summary>
    /// The summed time of every constant-weight layer, each timed on its own in the engine (whole, or
    /// its chosen pair); needs latency-aware timing.
    /// </summary>
    Latency,
}

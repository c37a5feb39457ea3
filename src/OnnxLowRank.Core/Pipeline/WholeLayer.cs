namespace OnnxLowRank.Core.Pipeline;

/// <summary>
/// A Gemm, MatMul or Conv with a constant weight that stays whole (depthwise, excluded, shared,
/// not beneficial): it still counts, at full size, in the budget's total and in what is kept.
/// </summary>
public sealed record WholeLayer(string Name, string OpType, long Parameters, long? OutputPositions)
{
    public long? Flops => OutputPositions * Parameters;
}

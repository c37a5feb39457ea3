using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Analysis;

/// <summary>
/// A Gemm, MatMul or Conv with a constant weight, or an embedding Gather over a constant table, that stays whole
/// (depthwise, excluded, shared, not beneficial): it still counts, at full size, in the budget's total and in what is
/// kept. A Gather's output positions are 0: a lookup costs no multiply-accumulates.
/// </summary>
public sealed record WholeLayer(string Name, string OpType, long Parameters, long? OutputPositions)
{
    public long? Flops => OutputPositions * Parameters;

    /// <summary>
    /// Why a FLOP budget cannot count this layer, else null: it lies inside a Loop whose trip count is not a constant,
    /// a Scan, or a branch the measuring run did not reach. A FLOP budget leaves it whole and out of its total;
    /// a parameter budget counts it as usual.
    /// </summary>
    public string? UncountedCost { get; init; }

    /// <summary>The layer timed on its own (no pairs) when the analysis was latency-aware, else null.</summary>
    public LayerLatency? Latency { get; init; }

    /// <summary>The layer as an allocator sees it: no options, so it stays whole and counts at full size.</summary>
    public AllocationLayer ToAllocationLayer(BudgetKind budget) => new(
        Name,
        Parameters,
        budget == BudgetKind.Flops
            ? OutputPositions ?? throw new InvalidOperationException($"Layer '{Name}' has no measured output size; FLOP budgets need a model run.")
            : 1,
        [])
    {
        Latency = Latency?.Profile,
        CostIsLatency = budget == BudgetKind.Latency
            && (Latency ?? throw new InvalidOperationException($"Layer '{Name}' was not timed; a latency budget needs latency-aware analysis.")) is not null,
    };
}

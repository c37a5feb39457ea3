using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Planning;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>
/// The allocation a plan file gives (<c>compress --plan</c>): its layers at the planned k and rank, every other layer
/// whole, costed in parameters like an allocator's result so the reports read the same. The plan must fit the
/// analysed model: each layer compressible, of the operator and weight shape the plan names, its k among the slice
/// counts analysed and its rank within the full rank for that k.
/// </summary>
internal static class PlannedAllocation
{
    private const string Advice = "write the plan for this model with 'compress --plan-out'; 'analyze' lists its compressible layers";

    public static AllocationResult From(ModelAnalysis analysis, PlanFile.Document plan, string? planPath)
    {
        var planned = plan.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var known = analysis.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if (plan.Layers.FirstOrDefault(l => !known.Contains(l.Name)) is { } stranger)
            throw new InvalidPlanException("the model has no compressible layer of this name", planPath, stranger.Name, Advice);

        var layers = new List<LayerAllocation>();
        var total = 0.0;
        foreach (var layer in analysis.Layers)
        {
            var costed = layer.ToAllocationLayer(BudgetKind.Parameters, convRankMultiple: 1);
            total += costed.FullCost;
            if (!planned.TryGetValue(layer.Name, out var entry))
            {
                layers.Add(new LayerAllocation(layer.Name, 0, 0, costed.FullSize, costed.FullCost, 0));
                continue;
            }
            var weightShape = layer.Layer.Weight.Dims.ToArray();
            if (entry.OpType != layer.Layer.Node.OpType || !entry.WeightShape.SequenceEqual(weightShape))
                throw new InvalidPlanException(
                    $"the plan has a {entry.OpType} of weight [{string.Join(",", entry.WeightShape)}] where the model has a {layer.Layer.Node.OpType} of weight [{string.Join(",", weightShape)}]",
                    planPath, entry.Name, Advice);
            var option = costed.Options.FirstOrDefault(o => o.SliceCount == entry.SliceCount)
                ?? throw new InvalidPlanException(
                    $"k = {entry.SliceCount} is not a slice count this layer was analysed with ({string.Join(", ", costed.Options.Select(o => o.SliceCount))})",
                    planPath, entry.Name, "give a k that divides the layer's input channels, within --max-k");
            if (entry.Rank > option.MaxRank)
                throw new InvalidPlanException($"rank {entry.Rank} is above the full rank {option.MaxRank} for k = {entry.SliceCount}", planPath, entry.Name,
                    "give a rank of at most the full rank, or leave the layer out of the plan to keep it whole");
            layers.Add(new LayerAllocation(layer.Name, entry.SliceCount, entry.Rank, option.SizeAtRank(entry.Rank), costed.CostAt(option, entry.Rank),
                option.ErrorBoundAtRank(entry.Rank)));
        }
        foreach (var whole in analysis.WholeLayers)
        {
            var costed = whole.ToAllocationLayer(BudgetKind.Parameters);
            total += costed.FullCost;
            layers.Add(new LayerAllocation(whole.Name, 0, 0, costed.FullSize, costed.FullCost, 0));
        }
        return new AllocationResult(plan.Method, layers, total, TargetCost: null, layers.Sum(l => l.Cost), new MinimumSavingReport(0, 0));
    }
}

using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Planning;

namespace OnnxLowRank.Cli.Commands;

/// <summary>The plan file of a finished compression: every rewritten layer with its operator, weight shape, k, rank and order.</summary>
internal static class PlanDocument
{
    public static PlanFile.Document Of(PipelineResult result)
    {
        var analysed = result.Analysis.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        return new PlanFile.Document(PlanFile.SchemaVersion, result.Plan.Method, result.Compression.Layers.Select(outcome =>
        {
            var layer = analysed[outcome.NodeName].Layer;
            return new PlanFile.Layer(outcome.NodeName, layer.Node.OpType, layer.Weight.Dims.ToArray(), outcome.SliceCount, outcome.Rank,
                layer.Kind == Core.Layers.LayerKind.Conv ? OrderName(outcome.Order) : null);
        }).ToList());
    }

    private static string OrderName(FactorOrder order) => order == FactorOrder.InputFirst ? "input-first" : "kernel-first";
}

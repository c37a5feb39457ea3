using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// Finds, among the skipped candidates, those whose weight is a constant (an embedding Gather's table among them):
/// they count at full size in a budget.
/// </summary>
internal static class WholeLayerFinder
{
    public sealed record Found(SkippedNode Skipped, NodeProto Node, long Parameters, long OutputChannels, GraphScope Scope);

    public static IReadOnlyList<Found> Find(GraphProto graph, IReadOnlyList<SkippedNode> skipped)
    {
        // Names are paths, so a subgraph's node is found by the same name discovery gave it.
        var nodeByName = new Dictionary<string, (NodeProto Node, GraphScope Scope)>();
        foreach (var scope in GraphScope.All(graph))
        {
            var names = LayerNames.Of(scope.Graph);
            for (var i = 0; i < scope.Graph.Node.Count; i++) nodeByName.TryAdd(scope.NameOf(names[i]), (scope.Graph.Node[i], scope));
        }

        var found = new List<Found>();
        // A constant counts once however many skipped nodes read it: an embedding table that stays whole and its head
        // Gemm(h, E, transB = 1) are one table.
        var counted = new HashSet<TensorProto>(ReferenceEqualityComparer.Instance);
        foreach (var node in skipped)
        {
            // Quantized and fused operators hold their weights in layouts whose size this count does not know.
            if (node.Reason is SkipReason.QuantizedOperator or SkipReason.FusedOperator
                || !nodeByName.TryGetValue(node.NodeName, out var site) || site.Node.Input.Count < 2) continue;
            // A Gather's table is its data input; the others' weight is input 1.
            var weightInput = site.Node.OpType == "Gather" ? site.Node.Input[0] : site.Node.Input[1];
            if (site.Scope.Constant(weightInput) is not { Tensor: { Dims.Count: >= 2 } weight } || !counted.Add(weight)) continue;
            found.Add(new Found(node, site.Node, TensorCodec.ElementCount(weight), OutputChannels(site.Node, weight), site.Scope));
        }
        return found;
    }

    private static long OutputChannels(NodeProto node, TensorProto weight) => node.OpType switch
    {
        "Conv" => weight.Dims[0],
        "Gather" => weight.Dims[^1],
        "Gemm" => node.IntAttribute("transB", 0) == 1 ? weight.Dims[0] : weight.Dims[1],
        _ => weight.Dims[^1],
    };
}

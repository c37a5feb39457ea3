using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>Finds, among the skipped candidates, those whose weight is a constant: they count at full size in a budget.</summary>
internal static class WholeLayerFinder
{
    public sealed record Found(SkippedNode Skipped, NodeProto Node, long Parameters, long OutputChannels);

    public static IReadOnlyList<Found> Find(GraphProto graph, IReadOnlyList<SkippedNode> skipped)
    {
        var index = new GraphIndex(graph);
        var names = LayerNames.Of(graph);
        var nodeByName = new Dictionary<string, NodeProto>();
        for (var i = 0; i < graph.Node.Count; i++) nodeByName.TryAdd(names[i], graph.Node[i]);

        var found = new List<Found>();
        foreach (var node in skipped)
        {
            // Subgraph nodes are named by path and never rewritten; a main-graph node could even share such a name.
            // Quantized and fused operators hold their weights in layouts whose size this count does not know.
            if (node.Reason is SkipReason.InSubgraph or SkipReason.QuantizedOperator or SkipReason.FusedOperator
                || !nodeByName.TryGetValue(node.NodeName, out var proto) || proto.Input.Count < 2) continue;
            if (index.Constant(proto.Input[1]) is not { } weight || weight.Dims.Count < 2) continue;
            found.Add(new Found(node, proto, TensorCodec.ElementCount(weight), OutputChannels(proto, weight)));
        }
        return found;
    }

    private static long OutputChannels(NodeProto node, TensorProto weight) => node.OpType switch
    {
        "Conv" => weight.Dims[0],
        "Gemm" => node.IntAttribute("transB", 0) == 1 ? weight.Dims[0] : weight.Dims[1],
        _ => weight.Dims[^1],
    };
}

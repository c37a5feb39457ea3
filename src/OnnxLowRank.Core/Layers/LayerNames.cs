using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// Stable names for nodes. Exporters often leave node names empty (or repeat them), so a node
/// without a unique name is called "OpType:firstOutput" (output names are unique in a valid graph),
/// with "#index" added in the unlikely case that a real node already has that name.
/// </summary>
public static class LayerNames
{
    /// <summary>One name per node of <paramref name="graph"/>, in node order.</summary>
    public static IReadOnlyList<string> Of(GraphProto graph)
    {
        var counts = graph.Node.Where(n => n.Name.Length > 0).GroupBy(n => n.Name).ToDictionary(g => g.Key, g => g.Count());
        return graph.Node.Select((n, i) =>
        {
            if (n.Name.Length > 0 && counts[n.Name] == 1) return n.Name;
            var derived = $"{n.OpType}:{(n.Output.Count > 0 ? n.Output[0] : "")}";
            return counts.ContainsKey(derived) ? $"{derived}#{i}" : derived;
        }).ToList();
    }
}
